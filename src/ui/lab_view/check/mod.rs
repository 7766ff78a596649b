//! A check as `lab show` sums it up: its title and points, then what it looks at, with
//! everything it requires (the members a network must have, the actions it runs first, the
//! checks it waits on). Patterns are never shown: they are often the answer itself.

mod config;

use crate::checks::words::{self, and_list, count, or_list};
use crate::model::{
    Action, AnswerExpect, Check, CheckKind, CommandLine, ExpectCheck, HttpCheck, Literal, Matcher,
    Target,
};
use config::{container, dockerfile};

/// Words of a summary: text, or a command shown as inline code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    Code(String),
}

/// A summary being written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Phrase(pub Vec<Seg>);

impl Phrase {
    fn t(mut self, s: impl Into<String>) -> Self {
        self.0.push(Seg::Text(s.into()));
        self
    }
    fn c(mut self, s: impl Into<String>) -> Self {
        self.0.push(Seg::Code(s.into()));
        self
    }
    fn then(mut self, other: Phrase) -> Self {
        self.0.extend(other.0);
        self
    }
    /// Phrases joined as a list: `a`, `a and b`, `a, b and c`.
    fn list(items: Vec<Phrase>) -> Phrase {
        let n = items.len();
        let mut out = Phrase::default();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out = out.t(if i + 1 == n { " and " } else { ", " });
            }
            out = out.then(item);
        }
        out
    }
}

impl std::fmt::Display for Phrase {
    /// Plain text, with commands between backticks.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for seg in &self.0 {
            match seg {
                Seg::Text(t) => f.write_str(t)?,
                Seg::Code(c) => f.write_str(&super::inline::code(crate::ui::Style::PLAIN, c))?,
            }
        }
        Ok(())
    }
}

fn text(s: impl Into<String>) -> Phrase {
    Phrase::default().t(s)
}

/// What a check does, in one sentence: "after stopping service web: network front exists
/// and joins web, api (within 10s) · needs web-up".
pub fn describe(check: &Check) -> Phrase {
    let mut out = Phrase::default();
    if !check.before.is_empty() {
        let actions: Vec<Phrase> = check.before.iter().map(action).collect();
        out = out.t("after ").then(Phrase::list(actions)).t(": ");
    }
    out = out.then(describe_kind(&check.kind));
    if let Some(d) = check.eventually {
        out = out.t(format!(" (within {d})"));
    }
    if !check.needs.is_empty() {
        out = out.t(format!(" · needs {}", check.needs.join(", ")));
    }
    out
}

/// What a `before:` action does, as "stopping service web".
fn action(a: &Action) -> Phrase {
    match a {
        Action::Stop(t) => text(format!("stopping {t}")),
        Action::Start(t) => text(format!("starting {t}")),
        Action::Restart(t) => text(format!("restarting {t}")),
        Action::Kill(k) => text(format!("killing {} with SIG{}", k.target, k.signal)),
        Action::Pause(t) => text(format!("pausing {t}")),
        Action::Unpause(t) => text(format!("unpausing {t}")),
        Action::Exec(e) => text("running ")
            .then(command(&e.cmd))
            .t(format!(" in {}", e.target)),
        Action::Sleep(d) => text(format!("waiting {d}")),
        Action::Disconnect(c) => text(format!(
            "disconnecting {} from network {}",
            c.target, c.network
        )),
        Action::Connect(c) => text(format!("connecting {} to network {}", c.target, c.network)),
        Action::Command(run) => text("running ").then(shell(run)).t(" on your machine"),
    }
}

/// A command as code when it is short enough to read at a glance; "a command" otherwise.
fn command(cmd: &CommandLine) -> Phrase {
    match cmd {
        CommandLine::Shell(s) => shell(s),
        CommandLine::Exec(words) => {
            let quoted: Vec<String> = words
                .iter()
                .map(|w| {
                    if w.is_empty() || w.contains(char::is_whitespace) {
                        format!("'{w}'")
                    } else {
                        w.clone()
                    }
                })
                .collect();
            shell(&quoted.join(" "))
        }
    }
}

fn shell(s: &str) -> Phrase {
    let s = s.trim();
    if s.is_empty() || s.contains('\n') || s.chars().count() > 40 {
        text("a command")
    } else {
        Phrase::default().c(s)
    }
}

/// What a matcher asks of a value that follows its noun: `0`, `containing "ok"`,
/// `not root`. `bare`: an exact value is written as is (`exit code 0`); otherwise as
/// `equal to "..."` (for output).
fn wanted(m: &Matcher, bare: bool) -> String {
    match m {
        Matcher::Equals(Literal::Null) => "empty".into(),
        Matcher::Equals(Literal::Str(s)) if bare && !s.is_empty() && !s.contains(' ') => s.clone(),
        Matcher::Equals(Literal::Str(s)) => format!("equal to \"{s}\""),
        Matcher::Equals(l) => l.text(),
        Matcher::Contains(s) => format!("containing \"{s}\""),
        Matcher::Matches(_) => "of the form the task asks for".into(),
        Matcher::Not(inner) => format!("not {}", wanted(inner, bare)),
        Matcher::All(ms) => {
            // Two patterns read the same: say it once.
            let mut parts: Vec<String> = Vec::new();
            for p in ms.iter().map(|m| wanted(m, bare)) {
                if !parts.contains(&p) {
                    parts.push(p);
                }
            }
            and_list(&parts)
        }
        Matcher::Any(ms) => or_list(&ms.iter().map(|m| wanted(m, bare)).collect::<Vec<_>>()),
        Matcher::Lt(n) => format!("below {n}"),
        Matcher::Gt(n) => format!("above {n}"),
    }
}

/// "has label tier back" for each label a check asks for.
fn labels(labels: &[(String, Matcher)]) -> Vec<Phrase> {
    labels
        .iter()
        .map(|(k, m)| text(format!("has label {k} {}", wanted(m, true))))
        .collect()
}

/// `subject` and what it does besides: "network front exists and joins web, api",
/// "network back exists, is internal and joins db".
fn and_facts(subject: Phrase, facts: Vec<Phrase>) -> Phrase {
    match facts.len() {
        0 => subject,
        1 => subject.t(" and ").then(Phrase::list(facts)),
        _ => subject.t(", ").then(Phrase::list(facts)),
    }
}

/// `subject` and the facts after it: "network front exists and joins web, api".
fn with_facts(subject: Phrase, facts: Vec<Phrase>) -> Phrase {
    if facts.is_empty() {
        subject
    } else {
        subject.t(", ").then(Phrase::list(facts))
    }
}

/// One phrase on what a check looks at: "service web is running, healthy".
pub fn describe_kind(kind: &CheckKind) -> Phrase {
    match kind {
        CheckKind::Exec(e) => {
            let mut facts = output(&e.exit, e.stdout.as_ref(), e.stderr.as_ref());
            if let Some(u) = &e.spec.user {
                facts.insert(0, text(format!("as user {u}")));
            }
            with_facts(
                text("runs ")
                    .then(command(&e.spec.cmd))
                    .t(format!(" in {}", e.spec.target)),
                facts,
            )
        }
        CheckKind::Expect(e) => expect(e),
        CheckKind::Http(h) => http(h),
        CheckKind::Tcp(t) => {
            let to = t
                .host
                .clone()
                .or_else(|| t.service.clone())
                .unwrap_or_else(|| "localhost".into());
            let verb = if t.open {
                "connects to"
            } else {
                "expects no connection to"
            };
            match &t.from {
                Some(f) => text(format!("{verb} {to}:{} from {f}", t.port)),
                None => text(format!("{verb} {to}:{}", t.port)),
            }
        }
        CheckKind::Dns(d) => {
            let mut out = text(format!("looks up {} from {}", d.name, d.from));
            if !d.resolves {
                out = out.t(", which must not resolve");
            } else if let Some(a) = &d.address {
                out = out.t(format!(", address {}", wanted(a, true)));
            }
            out
        }
        CheckKind::Container(c) => container(c),
        CheckKind::Network(n) => {
            let mut facts = Vec::new();
            if n.exists {
                match n.internal {
                    Some(true) => facts.push(text("is internal")),
                    Some(false) => facts.push(text("is not internal")),
                    None => {}
                }
                if let Some(d) = &n.driver {
                    facts.push(text(format!("uses driver {d}")));
                }
                facts.extend(labels(&n.labels));
                if !n.containers.is_empty() {
                    facts.push(text(format!("joins {}", n.containers.join(", "))));
                }
            }
            and_facts(existence("network", &n.name, n.exists), facts)
        }
        CheckKind::Volume(v) => {
            let mut facts = Vec::new();
            if v.exists {
                if let Some(d) = &v.driver {
                    facts.push(text(format!("uses driver {d}")));
                }
                facts.extend(labels(&v.labels));
            }
            and_facts(existence("volume", &v.name, v.exists), facts)
        }
        CheckKind::Image(i) => {
            let mut facts = Vec::new();
            if i.exists {
                if let Some(u) = &i.user {
                    facts.push(text(format!("runs as user {}", wanted(u, true))));
                }
                match i.healthcheck {
                    Some(true) => facts.push(text("has a health check")),
                    Some(false) => facts.push(text("has no health check")),
                    None => {}
                }
                if !i.exposed_ports.is_empty() {
                    facts.push(text(format!("exposes {}", ports(&i.exposed_ports))));
                }
                facts.extend(labels(&i.labels));
            }
            and_facts(existence("image", &i.name, i.exists), facts)
        }
        CheckKind::Logs(l) => {
            use crate::model::LogStream;
            let mut which = Vec::new();
            match l.stream {
                LogStream::Stdout => which.push("standard output only".to_string()),
                LogStream::Stderr => which.push("standard error only".to_string()),
                LogStream::Both => {}
            }
            if let Some(n) = l.tail {
                which.push(format!("the last {}", count(n as usize, "line")));
            }
            let which = if which.is_empty() {
                String::new()
            } else {
                format!(" ({})", which.join(", "))
            };
            text(format!(
                "reads the logs of {}{which}: they must {}",
                l.target,
                words::wanted(&l.matcher)
            ))
        }
        CheckKind::File(f) => {
            let place = match &f.target {
                Some(t) => format!("in {t}"),
                None => "in your workspace".into(),
            };
            if !f.exists {
                return text(format!("expects no {} {place}", f.path));
            }
            let mut facts = Vec::new();
            if let Some(c) = &f.contains {
                facts.push(text(words::wanted(c)));
            }
            if f.matches.is_some() {
                facts.push(text("have the form the task asks for"));
            }
            if let Some(mode) = f.mode {
                facts.push(text(format!("have mode {mode:o}")));
            }
            let subject = text(format!("looks at {} {place}", f.path));
            if facts.is_empty() {
                subject
            } else {
                subject.t(": it must ").then(Phrase::list(facts))
            }
        }
        CheckKind::Command(c) => with_facts(
            text("runs ").then(shell(&c.run)).t(" on your machine"),
            output(&c.exit, c.stdout.as_ref(), c.stderr.as_ref()),
        ),
        CheckKind::Answer(a) => {
            let from = match &a.expect {
                AnswerExpect::Inspect(_) => " (compared with the running lab)",
                _ => "",
            };
            text(format!("reads {} in {}{from}", a.key, a.file))
        }
        CheckKind::Dockerfile(d) => dockerfile(d),
    }
}

/// What a command's result must be: the exit code when it is not 0, then its output.
fn output(exit: &Matcher, stdout: Option<&Matcher>, stderr: Option<&Matcher>) -> Vec<Phrase> {
    let mut facts = Vec::new();
    if *exit != Matcher::Equals(Literal::Int(0)) {
        facts.push(text(format!("exit code {}", wanted(exit, true))));
    }
    if let Some(m) = stdout {
        facts.push(text(format!("output {}", wanted(m, false))));
    }
    if let Some(m) = stderr {
        facts.push(text(format!("error output {}", wanted(m, false))));
    }
    facts
}

fn expect(e: &ExpectCheck) -> Phrase {
    match &e.target {
        Target::Host => text("drives ").then(command(&e.run)).t(" on your machine"),
        t => text("drives an interactive ")
            .then(command(&e.run))
            .t(format!(" in {t}")),
    }
}

fn http(h: &HttpCheck) -> Phrase {
    let verb = if h.method.eq_ignore_ascii_case("GET") {
        "requests".to_string()
    } else {
        format!("sends {} to", h.method.to_ascii_uppercase())
    };
    let mut out = match (&h.url, &h.target) {
        (Some(u), _) => text(format!("{verb} {u}")),
        (None, Some(t)) => {
            let path = if h.path.is_empty() || h.path == "/" {
                String::new()
            } else {
                format!(" at {}", h.path)
            };
            text(format!(
                "{verb} port {} of {t}{path}",
                h.port.unwrap_or_default()
            ))
        }
        _ => text("makes an HTTP request"),
    };
    if let Some(f) = &h.from {
        out = out.t(format!(" from {f}"));
    }
    let mut facts = Vec::new();
    if h.status != Matcher::Equals(Literal::Int(200)) {
        facts.push(text(format!("status {}", wanted(&h.status, true))));
    }
    if let Some(b) = &h.expect_body {
        facts.push(text(format!("body {}", wanted(b, false))));
    }
    for (name, m) in &h.expect_headers {
        facts.push(text(format!("header {name} {}", wanted(m, false))));
    }
    with_facts(out, facts)
}

fn ports<P: ToString>(ports: &[P]) -> String {
    ports
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn existence(kind: &str, name: &str, exists: bool) -> Phrase {
    if exists {
        text(format!("{kind} {name} exists"))
    } else {
        text(format!("{kind} {name} is gone"))
    }
}
