//! CMD and ENTRYPOINT: the form Docker reads each in, and the default command the image
//! ends up with.

use parse_dockerfile::Command;

/// CMD and ENTRYPOINT as Docker reads them: exec form (a JSON list), or shell form, which
/// Docker stores as the shell of the moment (`SHELL`, `/bin/sh -c` by default) and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Exec(Vec<String>),
    Shell { shell: Vec<String>, text: String },
}

/// Docker's shell when no `SHELL` instruction set one.
pub fn default_shell() -> Vec<String> {
    vec!["/bin/sh".into(), "-c".into()]
}

pub fn form(cmd: &Command, escape: char, shell: &[String]) -> Form {
    match cmd {
        Command::Exec(words) => {
            Form::Exec(words.value.iter().map(|w| w.value.to_string()).collect())
        }
        Command::Shell(text) => {
            let text = join_continuations(text.value, escape);
            match json_list_first(&text) {
                Some(words) => Form::Exec(words),
                None => Form::Shell {
                    shell: shell.to_vec(),
                    text,
                },
            }
        }
        // The parser may learn new forms; one it cannot name counts as no command.
        _ => Form::Exec(Vec::new()),
    }
}

/// Docker decodes the first JSON value of the line and ignores what follows it, so
/// `CMD ["echo", "hi"]  # note` (or `...],`) is exec form, though the parser took it for
/// shell form (it wants the line to end at `]`).
fn json_list_first(text: &str) -> Option<Vec<String>> {
    let text = text.trim_start();
    if !text.starts_with('[') {
        return None;
    }
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Vec<String>>();
    values.next()?.ok()
}

/// Shell-form text as Docker joins it: a line ending in the escape character (blanks after
/// it allowed) runs on into the next with both removed and no space put in (`Greet\⏎ings`
/// is `Greetings`); comment and blank lines inside are dropped.
fn join_continuations(text: &str, escape: char) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let start = line.trim_start();
        if i > 0 && (start.is_empty() || start.starts_with('#')) {
            continue;
        }
        let end = line.trim_end_matches([' ', '\t']);
        out.push_str(end.strip_suffix(escape).unwrap_or(line));
    }
    out.trim().to_string()
}

/// Runs of blanks outside quotes as one space: the shell splits words there, so `echo \⏎
/// Greetings` (indented) runs the same command as `echo Greetings`.
fn squeeze(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut gap = false;
    let mut chars = text.trim().chars();
    while let Some(ch) = chars.next() {
        if quote.is_none() && ch.is_whitespace() {
            gap = true;
            continue;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(ch);
        match (quote, ch) {
            (Some(q), _) if ch == q => quote = None,
            (None, '\'' | '"') => quote = Some(ch),
            // A backslash keeps the next character, blank or quote, as it is (not in '…').
            (None | Some('"'), '\\') => out.extend(chars.next()),
            _ => {}
        }
    }
    out
}

/// The file with each `ENTRYPOINT []` line (Docker 20.10 builds it: the entrypoint is
/// cleared; the parser refuses it) written `CMD        []` instead, the same length so that
/// positions hold, and where those `CMD`s start. Lines inside a continued instruction are
/// left as they are.
pub fn empty_entrypoints_as_cmd(text: &str) -> (String, Vec<usize>) {
    const KEYWORD: &str = "ENTRYPOINT";
    let mut out = String::with_capacity(text.len());
    let mut at = Vec::new();
    let mut continued = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start();
        let trimmed = line.trim_end();
        // Comment and blank lines neither start an instruction nor end one; either escape
        // character counts, as the `escape` directive is not known here.
        let quiet = body.trim_end().is_empty() || body.starts_with('#');
        let was_continued = continued;
        if !quiet {
            continued = trimmed.ends_with(['\\', '`']);
        }
        let rest = body.get(KEYWORD.len()..).unwrap_or_default();
        let empty_list = rest.starts_with([' ', '\t'])
            && rest
                .trim()
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .is_some_and(|inside| inside.trim().is_empty());
        if !was_continued
            && empty_list
            && body
                .get(..KEYWORD.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(KEYWORD))
        {
            let indent = line.len() - body.len();
            at.push(out.len() + indent);
            out.push_str(&line[..indent]);
            out.push_str(&format!("{:<1$}", "CMD", KEYWORD.len()));
            out.push_str(rest);
        } else {
            out.push_str(line);
        }
    }
    (out, at)
}

/// The command a container of the image runs by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultCommand {
    /// As Docker 20.10 puts it together, words joined with spaces: an exec-form ENTRYPOINT
    /// followed by CMD's words (a shell-form CMD adds its shell and text as arguments); a
    /// shell-form ENTRYPOINT alone (CMD only reaches its shell as `$0`…); CMD alone without
    /// ENTRYPOINT. A shell-form command alone is its text: `sh -c` runs just that, as the
    /// exec form of the same words would; but one that is no JSON list keeps its shell.
    pub text: String,
    /// The instruction in it that looks like a list but is no JSON (`CMD ['echo', 'hi']`),
    /// as written: Docker read it as shell form.
    pub not_json: Option<String>,
}

/// `None` when nothing is left to run.
pub fn default_command(entrypoint: Option<&Form>, cmd: Option<&Form>) -> Option<DefaultCommand> {
    match entrypoint {
        Some(Form::Exec(words)) if !words.is_empty() => {
            let mut all = words.clone();
            let mut not_json = None;
            match cmd {
                Some(Form::Exec(more)) => all.extend(more.iter().cloned()),
                Some(Form::Shell { shell, text }) => {
                    all.extend(shell.iter().cloned());
                    all.push(text.clone());
                    not_json = looks_like_a_list("CMD", text);
                }
                None => {}
            }
            Some(DefaultCommand {
                text: all.join(" "),
                not_json,
            })
        }
        Some(ep @ Form::Shell { .. }) => alone("ENTRYPOINT", ep),
        _ => cmd.and_then(|c| alone("CMD", c)),
    }
}

fn alone(keyword: &str, f: &Form) -> Option<DefaultCommand> {
    let (text, not_json) = match f {
        Form::Exec(words) => (words.join(" "), None),
        Form::Shell { shell, text } => match looks_like_a_list(keyword, text) {
            // What Docker stores and the container runs: the shell with the text.
            Some(bad) => (format!("{} {text}", shell.join(" ")), Some(bad)),
            None => (squeeze(text), None),
        },
    };
    (!text.trim().is_empty()).then_some(DefaultCommand { text, not_json })
}

/// Shell-form text that opens like a list (`['echo', 'hi']`, `[“echo”]`, `[echo, hi]`): a
/// list that is not JSON, which the shell then runs as a program named `['echo',` (exit
/// 127). `[ -f x ]` and `[[ … ]]` are the shell's tests, not lists.
fn looks_like_a_list(keyword: &str, text: &str) -> Option<String> {
    let first = text.split_whitespace().next().unwrap_or_default();
    (first.starts_with('[') && first != "[" && first != "[[").then(|| format!("{keyword} {text}"))
}

#[cfg(test)]
mod tests {
    use super::super::meaning::{Meaning, read};
    use super::*;

    fn meaning(text: &str) -> Meaning {
        read(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    #[test]
    fn cmd_or_entrypoint_is_a_default_command() {
        let cmd = |f: &str| meaning(f).default_command;
        assert_eq!(cmd("FROM busybox:1.36\n"), None);
        assert_eq!(
            cmd("FROM busybox:1.36\nCMD [\"echo\", \"Greetings\"]\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\ncmd echo Greetings\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\nENTRYPOINT [\"echo\"]\n").as_deref(),
            Some("echo")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\nENTRYPOINT [\"echo\"]\nCMD [\"Greetings\"]\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\nCMD echo \\\n  # note\n  Greetings \\\n  all\n").as_deref(),
            Some("echo Greetings all")
        );
        assert_eq!(cmd("FROM busybox:1.36\nCMD []\n"), None);
    }

    #[test]
    fn entrypoint_and_cmd_combine_as_docker_combines_them() {
        let cmd = |f: &str| meaning(&format!("FROM busybox:1.36\n{f}")).default_command;
        // A shell-form ENTRYPOINT runs alone: CMD reaches `sh -c` only as `$0`.
        assert_eq!(
            cmd("ENTRYPOINT echo\nCMD [\"Greetings\"]\n").as_deref(),
            Some("echo")
        );
        assert_eq!(
            cmd("CMD [\"Greetings\"]\nENTRYPOINT echo hi\n").as_deref(),
            Some("echo hi")
        );
        // An exec-form ENTRYPOINT gets a shell-form CMD as Docker stores it: shell and text.
        assert_eq!(
            cmd("ENTRYPOINT [\"echo\"]\nCMD Greetings  all\n").as_deref(),
            Some("echo /bin/sh -c Greetings  all")
        );
        assert_eq!(
            cmd("SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nENTRYPOINT [\"echo\"]\nCMD hi\n")
                .as_deref(),
            Some("echo /bin/ash -eo pipefail -c hi")
        );
        // The last of each kind counts.
        assert_eq!(
            cmd("CMD [\"a\"]\nENTRYPOINT [\"e\"]\nCMD [\"b\"]\nENTRYPOINT [\"f\"]\n").as_deref(),
            Some("f b")
        );
        assert_eq!(
            cmd("ENTRYPOINT sh -c x\nENTRYPOINT [\"echo\"]\nCMD [\"hi\"]\n").as_deref(),
            Some("echo hi")
        );
        // Inherited through a chain of stages, and a shell-form ENTRYPOINT still wins.
        let m = meaning(
            "FROM busybox:1.36 AS a\nSHELL [\"/bin/ash\", \"-c\"]\nENTRYPOINT echo hi\nFROM a AS b\nFROM b\nCMD [\"x\"]\n",
        );
        assert_eq!(m.default_command.as_deref(), Some("echo hi"));
    }

    #[test]
    fn an_empty_entrypoint_clears_it() {
        let cmd = |f: &str| meaning(f).default_command;
        let base = "FROM busybox:1.36 AS base\nENTRYPOINT [\"httpd\"]\nCMD [\"-f\"]\nFROM base\n";
        // It clears the inherited CMD too, as any ENTRYPOINT does.
        assert_eq!(cmd(&format!("{base}ENTRYPOINT []\n")), None);
        assert_eq!(
            cmd(&format!(
                "{base}  entrypoint [ ]  \r\nCMD [\"echo\", \"hi\"]\n"
            ))
            .as_deref(),
            Some("echo hi")
        );
        assert_eq!(
            cmd(&format!("{base}CMD echo hi\nEntryPoint []\n")).as_deref(),
            Some("echo hi")
        );
        // The file as written is the evidence; a later error is still placed right.
        let m = meaning(&format!("{base}ENTRYPOINT []\n"));
        assert!(m.final_stage.ends_with("FROM base\nENTRYPOINT []"), "{m:?}");
        let e = read("FROM busybox:1.36\nENTRYPOINT []\nFROB x\n").err();
        assert!(e.is_some_and(|e| e.line == 3 && e.column == 1));
        // Inside a continued RUN it is no instruction.
        let (text, at) = empty_entrypoints_as_cmd("RUN echo \\\n  # hi\nENTRYPOINT []\n");
        assert!(at.is_empty() && text.contains("ENTRYPOINT"));
    }

    #[test]
    fn a_json_list_with_text_after_it_is_exec_form() {
        let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for text in [
            r#"["echo", "Greetings"]  # the default command"#,
            r#"["echo", "Greetings"],"#,
            r#"["echo", "Greetings"] ]"#,
        ] {
            assert_eq!(
                json_list_first(text),
                Some(words(&["echo", "Greetings"])),
                "{text}"
            );
        }
        for text in [
            "['echo', 'hi']",
            "[echo, hi]",
            "[ -f x ] && echo",
            "echo [1]",
            "[1, 2]",
        ] {
            assert_eq!(json_list_first(text), None, "{text}");
        }
        let m = meaning(
            "FROM busybox:1.36\nENTRYPOINT [\"echo\"]  # says\nCMD [\"Greetings\"] # what\n",
        );
        assert_eq!(m.default_command.as_deref(), Some("echo Greetings"));
    }

    #[test]
    fn continuation_lines_join_as_docker_joins_them() {
        let cmd = |f: &str| meaning(&format!("FROM busybox:1.36\n{f}")).default_command;
        // Docker removes the escape and the line break and puts no space in.
        assert_eq!(
            cmd("CMD echo Greet\\\nings\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("CMD echo\\\nGreetings\n").as_deref(),
            Some("echoGreetings")
        );
        assert_eq!(
            cmd("CMD echo Greet\\  \r\n  # a note \\\n\n\tings\r\n").as_deref(),
            Some("echo Greet ings")
        );
        // Blanks the shell splits words at count once; quoted ones stay as written.
        assert_eq!(
            cmd("CMD echo \\\n    Greetings \"a  \\\n  b\" 'c  d' e\\ \\  f\n").as_deref(),
            Some("echo Greetings \"a    b\" 'c  d' e\\ \\  f")
        );
        assert_eq!(
            meaning("# escape=`\nFROM busybox:1.36\nCMD echo Greet`\nings\n")
                .default_command
                .as_deref(),
            Some("echo Greetings")
        );
    }

    #[test]
    fn the_default_command_is_inherited_from_earlier_stages() {
        let m =
            meaning("FROM busybox:1.36 AS base\nCMD [\"httpd\", \"-f\"]\nFROM base\nRUN true\n");
        assert_eq!(m.default_command.as_deref(), Some("httpd -f"));
        // An ENTRYPOINT clears an inherited CMD, as in Docker...
        let m =
            meaning("FROM busybox:1.36 AS base\nCMD [\"-f\"]\nFROM base\nENTRYPOINT [\"httpd\"]\n");
        assert_eq!(m.default_command.as_deref(), Some("httpd"));
        // ...but not one of its own stage.
        let m = meaning("FROM busybox:1.36\nCMD [\"-f\"]\nENTRYPOINT [\"httpd\"]\n");
        assert_eq!(m.default_command.as_deref(), Some("httpd -f"));
        // A stage not built from another inherits nothing from it.
        let m = meaning("FROM busybox:1.36 AS a\nCMD [\"x\"]\nFROM busybox:1.36\n");
        assert_eq!(m.default_command, None);
    }
}
