//! What a Dockerfile means for the image it builds (LAB_FORMAT §4.6): the final stage's
//! base image with ARGs substituted and stage names followed, and the configuration it
//! ends with (CMD, ENTRYPOINT, USER, EXPOSE, HEALTHCHECK, LABEL), inherited through the
//! stages it is built `FROM` within the file. Read with the `parse-dockerfile` parser, so
//! case, continuations, comments and flags do not matter.

use parse_dockerfile::{HealthcheckArguments, Instruction};

use super::command::{Form, default_command, default_shell, empty_entrypoints_as_cmd, form};

/// The image the final stage builds, as far as the file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// The base image of the final stage, through stage names and ARGs
    /// (`scratch` for none); empty when an ARG left it unnamed.
    pub base: String,
    /// `FROM` of the final stage as written, when `base` differs from it.
    pub base_written: String,
    /// The command the image runs by default, words joined with spaces (see
    /// `command::DefaultCommand`); `None` when there is none.
    pub default_command: Option<String>,
    /// The CMD or ENTRYPOINT in that command that is a list but no JSON, as written.
    pub not_json: Option<String>,
    /// The last USER ("" when none).
    pub user: String,
    /// The last HEALTHCHECK: `Some(true)` for a command, `Some(false)` for NONE.
    pub healthcheck: Option<bool>,
    /// EXPOSEd ports as written (`8080`, `8080/tcp`, `53/udp`, `8000-8010`), substituted.
    pub exposed: Vec<String>,
    /// LABELs, later ones replacing earlier ones of the same key.
    pub labels: Vec<(String, String)>,
    /// The final stage as the file writes it, comments and blank lines left out.
    pub final_stage: String,
}

/// Why a file is no Dockerfile: the parser's words and where it stopped (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// The image configuration a stage ends with, which a stage built `FROM` it inherits.
#[derive(Debug, Clone, Default)]
struct Config {
    env: Vars,
    cmd: Option<Form>,
    entrypoint: Option<Form>,
    /// `SHELL`, which shell-form CMD and ENTRYPOINT are stored with; `None` for Docker's.
    shell: Option<Vec<String>>,
    user: String,
    healthcheck: Option<bool>,
    exposed: Vec<String>,
    labels: Vars,
}

/// Variables in the order they were set; a later one of the same name replaces it.
type Vars = Vec<(String, String)>;

fn set(vars: &mut Vars, name: &str, value: String) {
    match vars.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value,
        None => vars.push((name.to_string(), value)),
    }
}

fn get<'v>(vars: &'v Vars, name: &str) -> Option<&'v str> {
    vars.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// One stage, once read.
struct Stage {
    /// `AS name`, lowercase (stage names are case-insensitive).
    name: Option<String>,
    /// The stage this one is built on, when its FROM names an earlier stage.
    parent: Option<usize>,
    /// The image its FROM names after substitution, when it is no stage.
    image: String,
    config: Config,
}

fn parse_error(e: parse_dockerfile::Error) -> ParseError {
    ParseError {
        // `{:#}` is the parser's message without its own "at line … column …".
        message: format!("{e:#}"),
        line: e.line(),
        column: e.column(),
    }
}

pub fn read(text: &str) -> Result<Meaning, ParseError> {
    // Without a BOM, as Docker reads it: the parser drops one before it counts positions,
    // which would put those of the rewrite below three bytes off.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The parser refuses `ENTRYPOINT []`, which Docker builds; read again with those lines
    // as same-length `CMD []` (positions stay right), remembering where they are.
    let rewritten: String;
    let mut cleared = Vec::new();
    let file = match parse_dockerfile::parse(text) {
        Ok(file) => file,
        Err(e) => {
            let (again, at) = empty_entrypoints_as_cmd(text);
            if at.is_empty() {
                return Err(parse_error(e));
            }
            rewritten = again;
            cleared = at;
            parse_dockerfile::parse(&rewritten).map_err(parse_error)?
        }
    };
    let escape = file
        .parser_directives
        .escape
        .as_ref()
        .map(|d| d.value.value)
        .unwrap_or('\\');

    // ARGs before the first FROM are the only variables a FROM sees.
    let mut global = Vars::new();
    for arg in file.global_args() {
        declare_args(&arg.arguments.value, &mut global, &Vars::new());
    }

    let mut stages: Vec<Stage> = Vec::new();
    let mut last_from_start = 0;
    for stage in file.stages() {
        // Where the final stage's text begins, for the evidence.
        last_from_start = stage.from.from.span.start;
        let image = expand(&stage.from.image.value, &global);
        let parent = stages
            .iter()
            .rposition(|s| s.name.as_deref() == Some(image.to_lowercase().as_str()));
        let mut config = parent.map(|p| stages[p].config.clone()).unwrap_or_default();
        let mut args = Vars::new();
        let mut cmd_set = false;
        for ins in stage.instructions {
            apply(
                ins,
                &mut config,
                &mut args,
                &global,
                &mut cmd_set,
                escape,
                &cleared,
            );
        }
        stages.push(Stage {
            name: stage.from.as_.as_ref().map(|(_, n)| n.value.to_lowercase()),
            parent,
            image,
            config,
        });
    }
    let Some(last) = stages.last() else {
        // The parser refuses a file without FROM; this is only the type's way to say so.
        return Err(ParseError {
            message: "expected at least one FROM instruction".into(),
            line: 0,
            column: 0,
        });
    };
    let mut base = last;
    // Parents are always earlier stages, so this walk ends.
    while let Some(p) = base.parent {
        base = &stages[p];
    }
    let c = &last.config;
    let command = default_command(c.entrypoint.as_ref(), c.cmd.as_ref());
    let written = file
        .stages()
        .last()
        .map(|s| s.from.image.value.to_string())
        .unwrap_or_default();
    Ok(Meaning {
        base: base.image.clone(),
        base_written: written,
        default_command: command.clone().map(|d| d.text),
        not_json: command.and_then(|d| d.not_json),
        user: c.user.clone(),
        healthcheck: c.healthcheck,
        exposed: c.exposed.clone(),
        labels: c.labels.clone(),
        final_stage: source_of(text.get(last_from_start..).unwrap_or_default()),
    })
}

/// One instruction's effect on the image configuration.
fn apply(
    ins: &Instruction,
    c: &mut Config,
    args: &mut Vars,
    global: &Vars,
    cmd_set: &mut bool,
    escape: char,
    cleared: &[usize],
) {
    // What `$NAME` means here: the stage's ARGs, then its ENV (which wins, as in Docker).
    let scope = |args: &Vars, c: &Config| -> Vars {
        let mut all = args.clone();
        for (k, v) in &c.env {
            set(&mut all, k, v.clone());
        }
        all
    };
    match ins {
        Instruction::Arg(a) => declare_args(&a.arguments.value, args, global),
        Instruction::Env(e) => {
            let vars = scope(args, c);
            for (k, v) in pairs(&e.arguments.value, true) {
                set(&mut c.env, &k, expand(&v, &vars));
            }
        }
        Instruction::Label(l) => {
            let vars = scope(args, c);
            for (k, v) in pairs(&l.arguments.value, false) {
                set(&mut c.labels, &expand(&k, &vars), expand(&v, &vars));
            }
        }
        Instruction::User(u) => c.user = expand(u.arguments.value.trim(), &scope(args, c)),
        Instruction::Expose(e) => {
            let vars = scope(args, c);
            for port in &e.arguments {
                let port = expand(&port.value, &vars);
                if !c.exposed.contains(&port) {
                    c.exposed.push(port);
                }
            }
        }
        Instruction::Cmd(cmd) if cleared.contains(&cmd.cmd.span.start) => {
            set_entrypoint(c, Form::Exec(Vec::new()), *cmd_set);
        }
        Instruction::Shell(sh) => {
            c.shell = Some(sh.arguments.iter().map(|w| w.value.to_string()).collect());
        }
        Instruction::Cmd(cmd) => {
            let f = form(&cmd.arguments, escape, &shell(c));
            // Docker counts a CMD as set in this stage only when it has words.
            *cmd_set |= f != Form::Exec(Vec::new());
            c.cmd = Some(f);
        }
        Instruction::Entrypoint(e) => {
            let f = form(&e.arguments, escape, &shell(c));
            set_entrypoint(c, f, *cmd_set);
        }
        Instruction::Healthcheck(h) => {
            c.healthcheck = Some(matches!(h.arguments, HealthcheckArguments::Cmd { .. }));
        }
        _ => {}
    }
}

fn shell(c: &Config) -> Vec<String> {
    c.shell.clone().unwrap_or_else(default_shell)
}

/// Docker: an ENTRYPOINT clears a CMD inherited from the base, not one set in the same
/// stage; `ENTRYPOINT []` leaves no entrypoint.
fn set_entrypoint(c: &mut Config, f: Form, cmd_set: bool) {
    c.entrypoint = (f != Form::Exec(Vec::new())).then_some(f);
    if !cmd_set {
        c.cmd = None;
    }
}

/// `ARG NAME[=default] …`: a name without a default takes the global ARG of that name.
fn declare_args(text: &str, into: &mut Vars, global: &Vars) {
    let scope: Vars = global.iter().chain(into.iter()).cloned().collect();
    for word in words(text) {
        match word.split_once('=') {
            Some((name, value)) => set(into, name, expand(value, &scope)),
            None => {
                let inherited = get(global, &word).unwrap_or_default().to_string();
                set(into, &word, inherited);
            }
        }
    }
}

/// `KEY=VALUE …` pairs (quotes allowed); with `legacy`, also ENV's old `KEY VALUE` form.
fn pairs(text: &str, legacy: bool) -> Vec<(String, String)> {
    let trimmed = text.trim();
    if legacy
        && let Some((key, rest)) = trimmed.split_once(char::is_whitespace)
        && !key.contains('=')
    {
        return vec![(key.to_string(), rest.trim().to_string())];
    }
    words(trimmed)
        .into_iter()
        .filter_map(|w| {
            let (k, v) = w.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

/// Words as a shell splits them (quotes removed); plain white space when quotes do not close.
fn words(text: &str) -> Vec<String> {
    shell_words::split(text)
        .unwrap_or_else(|_| text.split_whitespace().map(str::to_string).collect())
}

/// Substitute `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
/// `${NAME+word}` the way the Dockerfile reference describes; an unset name is empty.
/// `\$` is a literal dollar.
pub fn expand(text: &str, vars: &Vars) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['$', '\\']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("\\$") {
            out.push('$');
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix('\\') {
            out.push('\\');
            rest = after;
            continue;
        }
        let after = &tail[1..];
        if let Some(body) = after.strip_prefix('{')
            && let Some(end) = body.find('}')
        {
            out.push_str(&braced(&body[..end], vars));
            rest = &body[end + 1..];
            continue;
        }
        let name_len = after
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(after.len(), |(i, _)| i);
        if name_len == 0 {
            out.push('$');
        } else {
            out.push_str(get(vars, &after[..name_len]).unwrap_or_default());
        }
        rest = &after[name_len..];
    }
    out.push_str(rest);
    out
}

/// The inside of `${…}`.
fn braced(body: &str, vars: &Vars) -> String {
    let op_at = body.find([':', '-', '+']);
    let (name, op, word) = match op_at {
        Some(i) if body[i..].starts_with(":-") || body[i..].starts_with(":+") => {
            (&body[..i], &body[i..i + 2], &body[i + 2..])
        }
        Some(i) if !body[i..].starts_with(':') => (&body[..i], &body[i..i + 1], &body[i + 1..]),
        _ => (body, "", ""),
    };
    let value = get(vars, name);
    let word = || expand(word, vars);
    match (op, value) {
        (":-", Some(v)) if !v.is_empty() => v.to_string(),
        (":-", _) => word(),
        ("-", Some(v)) => v.to_string(),
        ("-", None) => word(),
        (":+", Some(v)) if !v.is_empty() => word(),
        ("+", Some(_)) => word(),
        (":+" | "+", _) => String::new(),
        (_, v) => v.unwrap_or_default().to_string(),
    }
}

/// A stage's text for evidence: comment and blank lines left out, continuations kept.
fn source_of(stage: &str) -> String {
    stage
        .lines()
        .filter(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meaning(text: &str) -> Meaning {
        read(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    #[test]
    fn every_way_of_naming_the_base_image() {
        let files = [
            "FROM busybox:1.36\n",
            "FROM docker.io/library/busybox:1.36\n",
            "FROM busybox:1.36 AS base\n",
            "from busybox:1.36 as base\n",
            "ARG BASE=busybox:1.36\nFROM ${BASE}\n",
            "ARG BASE=busybox:1.36\nFROM $BASE\n",
            "FROM ${BASE:-busybox:1.36}\n",
            "ARG TAG=1.36\nFROM busybox:${TAG}\n",
            "FROM --platform=linux/amd64 busybox:1.36\n",
            "FROM --platform=$BUILDPLATFORM busybox:1.36 AS build\n",
            "# a comment\nFROM \\\n  busybox:1.36\n",
            "FROM busybox:1.36 AS base\nRUN echo hi\nFROM base\nCMD [\"sh\"]\n",
            "FROM alpine:3.20 AS build\nRUN make\nFROM busybox:1.36 AS base\nFROM BASE AS final\n",
            // The authoring guide's example.
            "ARG BASE=busybox:1.36\nFROM --platform=$BUILDPLATFORM ${BASE} AS base\nCMD [\"echo\", \"Greetings\"]\n\nfrom base\n",
        ];
        for f in files {
            let m = meaning(f);
            assert!(
                crate::checks::equiv::same_image(&m.base, "busybox:1.36"),
                "{f:?} → {m:?}"
            );
        }
        assert_eq!(
            meaning("FROM alpine:3.20 AS a\nFROM busybox:1.36\n").base,
            "busybox:1.36"
        );
        assert_eq!(
            meaning("FROM busybox:1.36 AS a\nFROM alpine:3.20\n").base,
            "alpine:3.20"
        );
        assert_eq!(meaning("FROM scratch\n").base, "scratch");
        assert_eq!(meaning("ARG BASE\nFROM $BASE\n").base, "");
    }

    #[test]
    fn a_bom_does_not_move_an_empty_entrypoint() {
        let text = "\u{feff}FROM busybox:1.36\nENTRYPOINT [\"sh\"]\nENTRYPOINT []\nCMD [\"echo\", \"hi\"]\n";
        let m = read(text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(m.default_command.as_deref(), Some("echo hi"));
    }

    #[test]
    fn user_expose_healthcheck_and_labels() {
        let m = meaning(
            "FROM busybox:1.36 AS base\nARG PORT=8080\nENV APP_USER=app\nEXPOSE $PORT 53/udp\nLABEL maintainer=\"Ada L\" tier=web\nHEALTHCHECK CMD wget -q -O- localhost:8080\n\
             FROM base\nUSER ${APP_USER}\nLABEL tier=front\n",
        );
        assert_eq!(m.user, "app");
        assert_eq!(m.exposed, ["8080", "53/udp"]);
        assert_eq!(m.healthcheck, Some(true));
        assert_eq!(
            m.labels,
            [
                ("maintainer".to_string(), "Ada L".to_string()),
                ("tier".into(), "front".into())
            ]
        );
        let m = meaning("FROM busybox:1.36\nHEALTHCHECK NONE\nENV A B C\n");
        assert_eq!(m.healthcheck, Some(false));
        assert_eq!(m.user, "");
    }

    #[test]
    fn substitution_forms() {
        let vars: Vars = vec![("A".into(), "x".into()), ("E".into(), String::new())];
        assert_eq!(expand("$A-${A}", &vars), "x-x");
        assert_eq!(expand("${B:-d}|${E:-d}|${E-d}|${B-d}", &vars), "d|d||d");
        assert_eq!(expand("${A:+y}|${E:+y}|${E+y}|${B+y}", &vars), "y||y|");
        assert_eq!(expand("\\$A $ ${A}b", &vars), "$A $ xb");
    }

    #[test]
    fn a_parse_error_says_where() {
        let e = read("FROM busybox:1.36\nCMD [\"unclosed\"\nFROB x\n").err();
        let e = e.unwrap_or_else(|| panic!("expected a parse error"));
        assert!(e.line >= 2, "{e:?}");
        assert!(!e.message.contains(" at line "), "{e:?}");
        let e = read("RUN true\n").err();
        assert!(e.is_some());
        let e = read("").err();
        assert!(e.is_some_and(|e| e.message.contains("FROM")));
    }

    #[test]
    fn evidence_is_the_final_stage_without_comments() {
        let m = meaning("FROM alpine AS a\nRUN x\n\nFROM busybox:1.36\n# hi\nCMD [\"sh\"]\n");
        assert_eq!(m.final_stage, "FROM busybox:1.36\nCMD [\"sh\"]");
    }
}
