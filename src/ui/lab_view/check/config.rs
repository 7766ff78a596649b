//! Summaries of the checks that read an object's configuration: a container's (everything
//! the engine reports about it) and a Dockerfile's.

use super::{Phrase, ports, text, wanted, with_facts};
use crate::checks::words::{and_list, or_list};
use crate::model::{ContainerCheck, DockerfileCheck};

/// "container web is running, on network front and port 8080 published".
pub(super) fn container(c: &ContainerCheck) -> Phrase {
    let target = c.target.as_ref().map(|t| t.to_string()).unwrap_or_default();
    if !c.exists {
        return text(format!("{target} is gone"));
    }
    let is: Vec<&str> = [c.state.as_deref(), c.health.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let inspects = is.is_empty();
    let subject = if inspects {
        text(format!("inspects {target}"))
    } else {
        text(format!("{target} is {}", is.join(", ")))
    };
    let mut facts = Vec::new();
    let mut fact = |s: String| facts.push(text(s));
    if let Some(m) = &c.exit_code {
        fact(format!("exit code {}", wanted(m, true)));
    }
    if let Some(m) = &c.image {
        fact(format!("image {}", wanted(m, true)));
    }
    if c.default_command == Some(true) {
        fact("its image's default command".into());
    } else if c.default_command == Some(false) {
        fact("a command of its own".into());
    }
    if !c.ports.is_empty() {
        fact(format!("port {} published", ports(&c.ports)));
    }
    if !c.networks.is_empty() {
        fact(format!(
            "on {} {}",
            plural_noun(c.networks.len(), "network"),
            and_list(&c.networks)
        ));
    }
    if !c.not_networks.is_empty() {
        fact(format!(
            "not on {} {}",
            plural_noun(c.not_networks.len(), "network"),
            or_list(&c.not_networks)
        ));
    }
    for m in &c.mounts {
        let ro = match m.read_only {
            Some(true) => " read-only",
            Some(false) => " writable",
            None => "",
        };
        let what = match m.kind.as_deref() {
            Some("tmpfs") => "a tmpfs",
            Some("bind") => "a bind mount",
            Some("volume") => "a volume",
            _ => "a mount",
        };
        match &m.source {
            Some(s) => fact(format!("{s} at {}{ro}", m.path)),
            None => fact(format!("{what} at {}{ro}", m.path)),
        }
    }
    for (k, m) in &c.env {
        fact(format!("environment variable {k} {}", wanted(m, true)));
    }
    for (k, m) in &c.labels {
        fact(format!("label {k} {}", wanted(m, true)));
    }
    if let Some(p) = &c.restart_policy {
        fact(format!("restart policy {p}"));
    }
    if let Some(m) = &c.user {
        fact(format!("user {}", wanted(m, true)));
    }
    match c.root {
        Some(false) => fact("not running as root".into()),
        Some(true) => fact("running as root".into()),
        None => {}
    }
    match c.read_only {
        Some(true) => fact("a read-only root file system".into()),
        Some(false) => fact("a writable root file system".into()),
        None => {}
    }
    if !c.cap_add.is_empty() {
        fact(format!("capabilities {} added", c.cap_add.join(", ")));
    }
    if !c.cap_drop.is_empty() {
        fact(format!("capabilities {} dropped", c.cap_drop.join(", ")));
    }
    for o in &c.security_opt {
        fact(format!("security option {o}"));
    }
    if let Some(m) = c.mem_limit {
        fact(format!("a memory limit of {}", size(m.0)));
    }
    if let Some(m) = c.memswap_limit {
        fact(format!("memory and swap limited to {} together", size(m.0)));
    }
    if let Some(n) = c.cpus {
        fact(format!("{n} CPUs"));
    }
    if let Some(n) = c.pids_limit {
        fact(format!("a limit of {n} processes"));
    }
    if let Some(d) = &c.log_driver {
        fact(format!("log driver {d}"));
    }
    for (k, v) in &c.log_options {
        fact(format!("log option {k} {v}"));
    }
    if let Some(s) = &c.stop_signal {
        fact(format!("stop signal SIG{s}"));
    }
    if let Some(d) = c.stop_grace_period {
        fact(format!("a stop grace period of {d}"));
    }
    match c.health_test {
        Some(true) => fact("a health test that passes".into()),
        Some(false) => fact("a health test that fails".into()),
        None => {}
    }
    for a in &c.inspect {
        fact(format!("{} {}", setting(&a.path), wanted(&a.matcher, true)));
    }
    if inspects && !facts.is_empty() {
        subject.t(": ").then(Phrase::list(facts))
    } else {
        with_facts(subject, facts)
    }
}

/// A setting named by a JSON pointer into the engine's inspect output, in words:
/// `/HostConfig/RestartPolicy/Name` is "RestartPolicy Name".
fn setting(pointer: &str) -> String {
    let names: Vec<&str> = pointer
        .split('/')
        .filter(|s| !s.is_empty() && *s != "*" && s.parse::<usize>().is_err())
        .collect();
    match names.len() {
        0 => "a setting".to_string(),
        n => names[n.saturating_sub(2)..].join(" "),
    }
}

/// A size as Compose writes it: `64m`, `1g`, `1536k`, or bytes.
fn size(bytes: u64) -> String {
    const K: u64 = 1024;
    for (unit, factor) in [("g", K * K * K), ("m", K * K), ("k", K)] {
        if bytes >= factor && bytes.is_multiple_of(factor) {
            return format!("{}{unit}", bytes / factor);
        }
    }
    bytes.to_string()
}

pub(super) fn dockerfile(d: &DockerfileCheck) -> Phrase {
    let mut facts = Vec::new();
    let mut fact = |s: String| facts.push(text(s));
    if let Some(f) = &d.from {
        fact(format!("FROM {f}"));
    }
    match d.default_command {
        Some(true) => fact("a default command".into()),
        Some(false) => fact("no default command".into()),
        None => {}
    }
    if let Some(m) = &d.command {
        fact(format!("command {}", wanted(m, false)));
    }
    if !d.expose.is_empty() {
        let ports: Vec<String> = d.expose.iter().map(ToString::to_string).collect();
        fact(format!("EXPOSE {}", ports.join(", ")));
    }
    if let Some(m) = &d.user {
        fact(format!("USER {}", wanted(m, true)));
    }
    match d.healthcheck {
        Some(true) => fact("a HEALTHCHECK".into()),
        Some(false) => fact("no HEALTHCHECK".into()),
        None => {}
    }
    for (k, m) in &d.labels {
        fact(format!("LABEL {k} {}", wanted(m, true)));
    }
    let subject = text(format!("reads {} in your workspace", d.path));
    if facts.is_empty() {
        subject
    } else {
        subject.t(": ").then(Phrase::list(facts))
    }
}

fn plural_noun(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}
