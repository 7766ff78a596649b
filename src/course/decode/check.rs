//! `yaml check` blocks: the common fields and exactly one kind.

use super::action::{Refs, decode_list, exec_fields, fields_target};
use super::matcher::{self, regex_ok};
use super::stack::command;
use super::{Ctx, Fields, Schema, boolean, int, is_kebab, string};
use crate::course::yaml::{Node, Value};
use crate::model::{
    Check, CheckKind, CommandCheck, CommandLine, ContainerCheck, DnsCheck, ExecCheck, ExpectCheck,
    ExpectStep, FileCheck, HttpCheck, ImageCheck, InspectAssertion, Literal, LogStream, LogsCheck,
    Matcher, NetworkCheck, Target, TcpCheck, VolumeCheck,
};

pub const KINDS: &[&str] = &[
    "exec",
    "expect",
    "http",
    "tcp",
    "dns",
    "container",
    "network",
    "volume",
    "image",
    "logs",
    "file",
    "command",
];

const COMMON: &[&str] = &[
    "id",
    "title",
    "points",
    "hint",
    "timeout",
    "eventually",
    "starts_passing",
    "before",
];

const EXEC: Schema = Schema::known(&[
    "service",
    "container",
    "cmd",
    "user",
    "workdir",
    "env",
    "exit",
    "stdout",
    "stderr",
]);
const EXPECT: Schema = Schema::known(&["service", "container", "host", "spawn", "run", "steps"]);
const STEP: Schema = Schema::known(&["send", "expect", "expect_eof", "send_control", "timeout"]);
const HTTP: Schema = Schema::known(&[
    "url",
    "service",
    "container",
    "host",
    "port",
    "path",
    "method",
    "headers",
    "request_body",
    "from",
    "status",
    "body",
    "header",
]);
const TCP: Schema = Schema::known(&["host", "service", "port", "from", "open"]);
const DNS: Schema = Schema::known(&["name", "from", "resolves", "address"]);
const CONTAINER: Schema = Schema::known(&[
    "service",
    "container",
    "state",
    "health",
    "exit_code",
    "image",
    "labels",
    "env",
    "networks",
    "ports",
    "mounts",
    "restart_policy",
    "user",
    "read_only",
    "cap_add",
    "cap_drop",
    "security_opt",
    "mem_limit",
    "cpus",
    "pids_limit",
    "log_driver",
    "inspect",
]);
const INSPECT: Schema = Schema::known(&[
    "path", "equals", "contains", "matches", "not", "all", "any", "lt", "gt",
]);
const NETWORK: Schema = Schema::known(&[
    "name",
    "exists",
    "driver",
    "internal",
    "containers",
    "labels",
]);
const VOLUME: Schema = Schema::known(&["name", "exists", "driver", "labels"]);
const IMAGE: Schema = Schema::known(&[
    "name",
    "exists",
    "labels",
    "user",
    "healthcheck",
    "exposed_ports",
]);
const LOGS: Schema = Schema::known(&[
    "service",
    "container",
    "contains",
    "matches",
    "stream",
    "tail",
]);
const FILE: Schema = Schema::known(&[
    "path",
    "service",
    "container",
    "exists",
    "contains",
    "matches",
    "mode",
]);
const COMMAND: Schema = Schema::known(&["run", "exit", "stdout", "stderr"]);

const STATES: &[&str] = &[
    "created",
    "running",
    "paused",
    "restarting",
    "exited",
    "removing",
    "dead",
];
const HEALTH: &[&str] = &["healthy", "unhealthy", "starting", "none"];

/// Decode one check block. `refs` collects the services it names (checked by the lab).
pub fn decode(
    ctx: &mut Ctx,
    node: &Node,
    task: Option<usize>,
    line: u32,
    refs: &mut Refs,
) -> Option<Check> {
    let mut all_keys: Vec<&str> = COMMON.to_vec();
    all_keys.extend_from_slice(KINDS);
    let schema = Schema::known(&all_keys);
    let errors_before = ctx.diags.len();
    let f = Fields::open(ctx, node, "the check", &schema, false)?;
    let unknown_keys = ctx.diags.len() > errors_before;
    let what_id = f.get("id").and_then(|n| n.scalar_text());
    let what = match &what_id {
        Some(id) => format!("check \"{id}\""),
        None => "the check".to_string(),
    };
    let f = Fields {
        what: what.clone(),
        ..f
    };

    let id = f.required(ctx, "id").and_then(|n| {
        let id = string(ctx, n, "\"id\" of a check")?;
        if !is_kebab(&id) {
            ctx.error(n.pos, format!("check id \"{id}\" must be kebab-case (lowercase letters, digits and dashes, e.g. web-healthy)"));
        }
        Some(id)
    });
    let title = f.req_str(ctx, "title");
    let points = f.int(ctx, "points", 0, 1000).map(|p| p as u32).unwrap_or(1);
    let hint = f.str(ctx, "hint");
    let timeout = f.dur(ctx, "timeout");
    if timeout.is_some_and(|t| t.0.is_zero())
        && let Some(p) = f.get("timeout").map(|n| n.pos)
    {
        ctx.error(p, format!("\"timeout\" in {what} must be longer than zero"));
    }
    let eventually = f.dur(ctx, "eventually");
    let starts_passing = f.bool(ctx, "starts_passing").unwrap_or(false);
    let before = f
        .get("before")
        .map(|n| decode_list(ctx, n, refs))
        .unwrap_or_default();

    let kinds: Vec<(&str, &Node, &Node)> = f.keys().filter(|(k, _, _)| KINDS.contains(k)).collect();
    let kind = match kinds.as_slice() {
        [] => {
            // A misspelt kind was already reported as an unknown key, with a suggestion.
            if !unknown_keys {
                ctx.error(
                    f.pos,
                    format!(
                        "{what} has no kind; give exactly one of {}",
                        KINDS.join(", ")
                    ),
                );
            }
            None
        }
        [(name, _, body)] => decode_kind(ctx, name, body, &what, refs),
        [_, (second, key, _), ..] => {
            let names: Vec<&str> = kinds.iter().map(|(k, _, _)| *k).collect();
            ctx.error(
                key.pos,
                format!(
                    "{what} has {} kinds ({}); a check has exactly one",
                    names.len(),
                    names.join(", ")
                ),
            )
            .help = Some(format!(
                "split it into one check per kind; \"{second}\" could be its own check"
            ));
            None
        }
    };
    Some(Check {
        id: id?,
        title: title?,
        points,
        hint,
        timeout,
        eventually,
        starts_passing,
        before,
        kind: kind?,
        task,
        line,
    })
}

fn decode_kind(
    ctx: &mut Ctx,
    name: &str,
    body: &Node,
    check: &str,
    refs: &mut Refs,
) -> Option<CheckKind> {
    let what = format!("\"{name}\" of {check}");
    let open = |ctx: &mut Ctx, schema: &Schema| Fields::open(ctx, body, &what, schema, false);
    Some(match name {
        "exec" => {
            let f = open(ctx, &EXEC)?;
            let spec = exec_fields(ctx, &f, refs);
            let exit = exit_matcher(ctx, &f);
            let stdout = opt_matcher(ctx, &f, "stdout");
            let stderr = opt_matcher(ctx, &f, "stderr");
            CheckKind::Exec(ExecCheck {
                spec: spec?,
                exit: exit?,
                stdout: stdout?,
                stderr: stderr?,
            })
        }
        "expect" => {
            let f = open(ctx, &EXPECT)?;
            CheckKind::Expect(expect(ctx, &f, refs)?)
        }
        "http" => {
            let f = open(ctx, &HTTP)?;
            CheckKind::Http(http(ctx, &f, refs)?)
        }
        "tcp" => {
            let f = open(ctx, &TCP)?;
            let host = match f.get("host") {
                Some(n) if matches!(n.value, Value::Bool(_)) => None,
                Some(n) => Some(string(ctx, n, &f.field("host"))?),
                None => None,
            };
            let service = service_ref(ctx, &f, "service", refs);
            let from = service_ref(ctx, &f, "from", refs);
            let port = f
                .required(ctx, "port")
                .and_then(|n| int(ctx, n, &f.field("port"), 1, 65535));
            if host.is_some() && service.is_some() {
                ctx.error(
                    f.pos,
                    format!("{what} names both a host and a service; give one"),
                );
            }
            CheckKind::Tcp(TcpCheck {
                host,
                service,
                port: port? as u16,
                from,
                open: f.bool(ctx, "open").unwrap_or(true),
            })
        }
        "dns" => {
            let f = open(ctx, &DNS)?;
            let name = f.req_str(ctx, "name");
            let from = f
                .required(ctx, "from")
                .and(service_ref(ctx, &f, "from", refs));
            let address = opt_matcher(ctx, &f, "address");
            CheckKind::Dns(DnsCheck {
                name: name?,
                from: from?,
                resolves: f.bool(ctx, "resolves").unwrap_or(true),
                address: address?,
            })
        }
        "container" => {
            let f = open(ctx, &CONTAINER)?;
            CheckKind::Container(Box::new(container(ctx, &f, refs)?))
        }
        "network" => {
            let f = open(ctx, &NETWORK)?;
            let labels = label_matchers(ctx, &f, "labels");
            CheckKind::Network(NetworkCheck {
                name: f.req_str(ctx, "name")?,
                exists: f.bool(ctx, "exists").unwrap_or(true),
                driver: f.str(ctx, "driver"),
                internal: f.bool(ctx, "internal"),
                containers: f.str_list(ctx, "containers"),
                labels: labels?,
            })
        }
        "volume" => {
            let f = open(ctx, &VOLUME)?;
            let labels = label_matchers(ctx, &f, "labels");
            CheckKind::Volume(VolumeCheck {
                name: f.req_str(ctx, "name")?,
                exists: f.bool(ctx, "exists").unwrap_or(true),
                driver: f.str(ctx, "driver"),
                labels: labels?,
            })
        }
        "image" => {
            let f = open(ctx, &IMAGE)?;
            let labels = label_matchers(ctx, &f, "labels");
            let user = opt_matcher(ctx, &f, "user");
            let exposed = port_list(ctx, &f, "exposed_ports");
            CheckKind::Image(ImageCheck {
                name: f.req_str(ctx, "name")?,
                exists: f.bool(ctx, "exists").unwrap_or(true),
                labels: labels?,
                user: user?,
                healthcheck: f.bool(ctx, "healthcheck"),
                exposed_ports: exposed?,
            })
        }
        "logs" => {
            let f = open(ctx, &LOGS)?;
            let target = fields_target(ctx, &f, refs);
            let matcher = text_matcher(ctx, &f, true);
            let stream = match f.str(ctx, "stream").as_deref() {
                None | Some("both") => LogStream::Both,
                Some("stdout") => LogStream::Stdout,
                Some("stderr") => LogStream::Stderr,
                Some(other) => {
                    let p = f.get("stream").map(|n| n.pos).unwrap_or(f.pos);
                    ctx.error(
                        p,
                        format!(
                            "unknown stream \"{other}\" in {what} (use stdout, stderr or both)"
                        ),
                    );
                    return None;
                }
            };
            let tail = f.int(ctx, "tail", 1, 1_000_000).map(|t| t as u32);
            CheckKind::Logs(LogsCheck {
                target: target?,
                matcher: matcher??,
                stream,
                tail,
            })
        }
        "file" => {
            let f = open(ctx, &FILE)?;
            let target = if f.has("service") || f.has("container") {
                Some(fields_target(ctx, &f, refs)?)
            } else {
                None
            };
            let contains = opt_matcher(ctx, &f, "contains");
            let matches = f.get("matches").and_then(|n| {
                let re = string(ctx, n, &f.field("matches"))?;
                regex_ok(ctx, &re, n.pos)?;
                Some(re)
            });
            if f.has("matches") && matches.is_none() {
                return None;
            }
            let mode = f
                .get("mode")
                .and_then(|n| file_mode(ctx, n, &f.field("mode")));
            if f.has("mode") && mode.is_none() {
                return None;
            }
            CheckKind::File(FileCheck {
                target,
                path: f.req_str(ctx, "path")?,
                exists: f.bool(ctx, "exists").unwrap_or(true),
                contains: contains?,
                matches,
                mode,
            })
        }
        "command" => {
            let f = open(ctx, &COMMAND)?;
            let run = f.req_str(ctx, "run");
            let exit = exit_matcher(ctx, &f);
            let stdout = opt_matcher(ctx, &f, "stdout");
            let stderr = opt_matcher(ctx, &f, "stderr");
            CheckKind::Command(CommandCheck {
                run: run?,
                exit: exit?,
                stdout: stdout?,
                stderr: stderr?,
            })
        }
        _ => return None,
    })
}

/// `Some(None)`: absent; `Some(Some(m))`: present and valid; `None`: present and invalid.
fn opt_matcher(ctx: &mut Ctx, f: &Fields, key: &str) -> Option<Option<Matcher>> {
    match f.get(key) {
        None => Some(None),
        Some(n) => matcher::decode(ctx, n, &f.field(key)).map(Some),
    }
}

fn exit_matcher(ctx: &mut Ctx, f: &Fields) -> Option<Matcher> {
    match f.get("exit") {
        None => Some(Matcher::Equals(Literal::Int(0))),
        Some(n) => matcher::decode(ctx, n, &f.field("exit")),
    }
}

/// A service named by `service:` or `from:`; remembered for the lab-level reference check.
fn service_ref(ctx: &mut Ctx, f: &Fields, key: &str, refs: &mut Refs) -> Option<String> {
    let n = f.get(key)?;
    let name = string(ctx, n, &f.field(key))?;
    refs.push((name.clone(), n.pos));
    Some(name)
}

/// `contains:` / `matches:` as fields of `logs` and `file`: `Some(Some(m))` when one is given.
fn text_matcher(ctx: &mut Ctx, f: &Fields, required: bool) -> Option<Option<Matcher>> {
    let contains = opt_matcher(ctx, f, "contains")?;
    let matches = match f.get("matches") {
        None => None,
        Some(n) => {
            let re = string(ctx, n, &f.field("matches"))?;
            regex_ok(ctx, &re, n.pos)?;
            Some(Matcher::Matches(re))
        }
    };
    let m = match (contains, matches) {
        (Some(c), Some(m)) => Some(Matcher::All(vec![c, m])),
        (c, m) => c.or(m),
    };
    if required && m.is_none() {
        ctx.error(
            f.pos,
            format!("{} needs \"contains\" or \"matches\"", f.what),
        );
        return None;
    }
    Some(m)
}

fn label_matchers(ctx: &mut Ctx, f: &Fields, key: &str) -> Option<Vec<(String, Matcher)>> {
    let Some(n) = f.get(key) else {
        return Some(Vec::new());
    };
    let Some(entries) = n.as_map() else {
        ctx.error(
            n.pos,
            format!(
                "expected a map of NAME: matcher for {}, found {}",
                f.field(key),
                n.kind_name()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (k, v) in entries {
        let Some(name) = string(ctx, k, &f.field(key)) else {
            ok = false;
            continue;
        };
        match matcher::decode(ctx, v, &format!("\"{name}\" in {}", f.field(key))) {
            Some(m) => out.push((name, m)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn port_list(ctx: &mut Ctx, f: &Fields, key: &str) -> Option<Vec<u16>> {
    let Some(n) = f.get(key) else {
        return Some(Vec::new());
    };
    let Some(items) = n.as_seq() else {
        ctx.error(
            n.pos,
            format!(
                "expected a list of ports for {}, found {}",
                f.field(key),
                n.kind_name()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        let text = item.scalar_text().unwrap_or_default();
        let bare = text.trim_end_matches("/tcp").trim_end_matches("/udp");
        match bare.parse::<u16>() {
            Ok(p) if p > 0 => out.push(p),
            _ => {
                ctx.error(
                    item.pos,
                    format!(
                        "bad port {} in {} (write e.g. 8080 or \"8080/tcp\")",
                        super::describe(item),
                        f.field(key)
                    ),
                );
                return None;
            }
        }
    }
    Some(out)
}

fn file_mode(ctx: &mut Ctx, node: &Node, what: &str) -> Option<u32> {
    let text = node.scalar_text().unwrap_or_default();
    let digits = text.trim_start_matches("0o");
    match u32::from_str_radix(digits, 8) {
        Ok(m) if m <= 0o7777 && !digits.is_empty() => Some(m),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "bad file mode {} for {what} (write octal digits, e.g. \"0644\")",
                    super::describe(node)
                ),
            );
            None
        }
    }
}

fn expect(ctx: &mut Ctx, f: &Fields, refs: &mut Refs) -> Option<ExpectCheck> {
    let on_host = match f.get("host") {
        Some(n) => boolean(ctx, n, &f.field("host"))?,
        None => f.has("spawn"),
    };
    let target = if on_host {
        if f.has("service") || f.has("container") {
            ctx.error(
                f.pos,
                format!(
                    "{} runs on the host and in a container at once; give one",
                    f.what
                ),
            );
            return None;
        }
        Target::Host
    } else {
        fields_target(ctx, f, refs)?
    };
    if f.has("spawn") && f.has("run") {
        ctx.error(
            f.pos,
            format!("{} has both \"spawn\" and \"run\"; give one", f.what),
        );
        return None;
    }
    let run = match f.get("spawn").or(f.get("run")) {
        Some(n) => command(ctx, n, &f.field("run"))?,
        None => CommandLine::Shell("sh".into()),
    };
    let steps_node = f.required(ctx, "steps")?;
    let Some(items) = steps_node.as_seq() else {
        ctx.error(
            steps_node.pos,
            format!(
                "expected a list of steps for {}, found {}",
                f.field("steps"),
                steps_node.kind_name()
            ),
        );
        return None;
    };
    if items.is_empty() {
        ctx.error(steps_node.pos, format!("{} has no steps", f.what));
        return None;
    }
    let mut steps = Vec::new();
    let mut ok = true;
    for item in items {
        match step(ctx, item) {
            Some(s) => steps.push(s),
            None => ok = false,
        }
    }
    ok.then_some(ExpectCheck { target, run, steps })
}

fn step(ctx: &mut Ctx, node: &Node) -> Option<ExpectStep> {
    let f = Fields::open(ctx, node, "an expect step", &STEP, false)?;
    let actions: Vec<&str> = ["send", "expect", "expect_eof", "send_control"]
        .into_iter()
        .filter(|k| f.has(k))
        .collect();
    if actions.len() != 1 {
        ctx.error(f.pos, format!(
            "an expect step does exactly one of send, expect, expect_eof, send_control; found {}",
            if actions.is_empty() { "none".to_string() } else { actions.join(", ") }
        ));
        return None;
    }
    let timeout = f.dur(ctx, "timeout");
    Some(match actions[0] {
        "send" => ExpectStep::Send(f.str(ctx, "send")?),
        "expect" => {
            let n = f.get("expect")?;
            let pattern = string(ctx, n, "\"expect\" of a step")?;
            regex_ok(ctx, &pattern, n.pos)?;
            ExpectStep::Expect { pattern, timeout }
        }
        "expect_eof" => {
            if f.bool(ctx, "expect_eof") != Some(true) {
                return None;
            }
            ExpectStep::ExpectEof { timeout }
        }
        _ => {
            let n = f.get("send_control")?;
            let s = string(ctx, n, "\"send_control\"")?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() || "[\\]^_@".contains(c) => {
                    ExpectStep::SendControl(c.to_ascii_lowercase())
                }
                _ => {
                    ctx.error(
                        n.pos,
                        format!("send_control takes one letter (c for Ctrl-C), found \"{s}\""),
                    );
                    return None;
                }
            }
        }
    })
}

fn http(ctx: &mut Ctx, f: &Fields, refs: &mut Refs) -> Option<HttpCheck> {
    let url = f.str(ctx, "url");
    let on_host = match f.get("host") {
        Some(n) => boolean(ctx, n, &f.field("host"))?,
        None => false,
    };
    let target = if f.has("service") || f.has("container") {
        Some(fields_target(ctx, f, refs)?)
    } else if on_host {
        Some(Target::Host)
    } else {
        None
    };
    let port = f.int(ctx, "port", 1, 65535).map(|p| p as u16);
    if url.is_some() && (target.is_some() || port.is_some()) {
        ctx.error(
            f.pos,
            format!(
                "{} gives a \"url\" and a target or port; give one or the other",
                f.what
            ),
        );
        return None;
    }
    if url.is_none() && (target.is_none() || port.is_none()) {
        ctx.error(
            f.pos,
            format!(
                "{} needs a \"url\", or a target (service, container or host: true) and a \"port\"",
                f.what
            ),
        );
        return None;
    }
    if let Some(u) = &url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        let p = f.get("url").map(|n| n.pos).unwrap_or(f.pos);
        ctx.error(
            p,
            format!("url \"{u}\" must start with http:// or https://"),
        );
        return None;
    }
    let from = service_ref(ctx, f, "from", refs);
    let method = f
        .str(ctx, "method")
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if !["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&method.as_str()) {
        let p = f.get("method").map(|n| n.pos).unwrap_or(f.pos);
        ctx.error(p, format!("unknown HTTP method \"{method}\""));
        return None;
    }
    let status = match f.get("status") {
        None => Matcher::Equals(Literal::Int(200)),
        Some(n) => matcher::decode(ctx, n, &f.field("status"))?,
    };
    let expect_body = opt_matcher(ctx, f, "body")?;
    let expect_headers = label_matchers(ctx, f, "header")?;
    let mut path = f.str(ctx, "path").unwrap_or_else(|| "/".into());
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    Some(HttpCheck {
        url,
        target,
        port,
        path,
        method,
        headers: f.str_map(ctx, "headers"),
        body: f.str(ctx, "request_body"),
        from,
        status,
        expect_body,
        expect_headers,
    })
}

fn container(ctx: &mut Ctx, f: &Fields, refs: &mut Refs) -> Option<ContainerCheck> {
    let target = fields_target(ctx, f, refs);
    let mut c = ContainerCheck {
        target,
        ..ContainerCheck::default()
    };
    let mut ok = c.target.is_some();
    let mut one_of = |ctx: &mut Ctx, key: &str, allowed: &[&str]| -> Option<String> {
        let n = f.get(key)?;
        let v = string(ctx, n, &f.field(key))?;
        if allowed.contains(&v.as_str()) {
            Some(v)
        } else {
            let d = ctx.error(n.pos, format!("unknown {key} \"{v}\" in {}", f.what));
            match super::nearest(&v, allowed) {
                Some(near) => d.suggestion = Some(format!("did you mean \"{near}\"?")),
                None => d.help = Some(format!("use one of {}", allowed.join(", "))),
            }
            ok = false;
            None
        }
    };
    c.state = one_of(ctx, "state", STATES);
    c.health = one_of(ctx, "health", HEALTH);
    c.restart_policy = one_of(
        ctx,
        "restart_policy",
        &["no", "always", "on-failure", "unless-stopped"],
    );
    let mut m = |ctx: &mut Ctx, key: &str| -> Option<Matcher> {
        let r = opt_matcher(ctx, f, key);
        if r.is_none() {
            ok = false;
        }
        r.flatten()
    };
    c.exit_code = m(ctx, "exit_code");
    c.image = m(ctx, "image");
    c.user = m(ctx, "user");
    c.labels = label_matchers(ctx, f, "labels").unwrap_or_else(|| {
        ok = false;
        Vec::new()
    });
    c.env = label_matchers(ctx, f, "env").unwrap_or_else(|| {
        ok = false;
        Vec::new()
    });
    c.networks = f.str_list(ctx, "networks");
    c.ports = port_list(ctx, f, "ports").unwrap_or_else(|| {
        ok = false;
        Vec::new()
    });
    c.mounts = f.str_list(ctx, "mounts");
    c.read_only = f.bool(ctx, "read_only");
    c.cap_add = f.str_list(ctx, "cap_add");
    c.cap_drop = f.str_list(ctx, "cap_drop");
    c.security_opt = f.str_list(ctx, "security_opt");
    c.mem_limit = f.size(ctx, "mem_limit");
    c.cpus = f.float(ctx, "cpus");
    c.pids_limit = f.int(ctx, "pids_limit", -1, i64::from(i32::MAX));
    c.log_driver = f.str(ctx, "log_driver");
    if let Some(n) = f.get("inspect") {
        match n.as_seq() {
            Some(items) => {
                for item in items {
                    match inspect(ctx, item) {
                        Some(a) => c.inspect.push(a),
                        None => ok = false,
                    }
                }
            }
            None => {
                ctx.error(
                    n.pos,
                    format!(
                        "expected a list of {{path, matcher}} for {}, found {}",
                        f.field("inspect"),
                        n.kind_name()
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(c)
}

fn inspect(ctx: &mut Ctx, node: &Node) -> Option<InspectAssertion> {
    let f = Fields::open(ctx, node, "an inspect assertion", &INSPECT, false)?;
    let path_node = f.required(ctx, "path")?;
    let path = string(ctx, path_node, "\"path\" of an inspect assertion")?;
    if !path.starts_with('/') {
        ctx.error(path_node.pos, format!("inspect path \"{path}\" must be a JSON pointer starting with / (e.g. /HostConfig/Memory)"));
        return None;
    }
    let rest: Vec<(&str, &Node, &Node)> = f.keys().filter(|(k, _, _)| *k != "path").collect();
    let [(key, k, v)] = rest.as_slice() else {
        ctx.error(f.pos, "an inspect assertion has a \"path\" and exactly one matcher (equals, contains, matches, ...)");
        return None;
    };
    let as_map = Node {
        value: Value::Map(vec![((*k).clone(), (*v).clone())]),
        pos: k.pos,
    };
    let matcher = matcher::decode(ctx, &as_map, &format!("\"{key}\" of inspect path {path}"))?;
    Some(InspectAssertion { path, matcher })
}
