//! A container's inspect output against the fields of a `container` check: every
//! difference as a plain sentence. What Docker treats as the same is the same here:
//! capabilities with or without `CAP_`, `no-new-privileges` with or without `:true`, signals
//! by name or number, sizes in any unit, restart policies without their retry count.

use std::path::Path;

use serde_json::Value;

use crate::checks::matcher::{json, json_text, text};
use crate::checks::words::{and_list, seen, unmet, wanted};
use crate::model::{ByteSize, ContainerCheck, Dur, Matcher};

pub(super) fn at<'a>(v: &'a Value, ptr: &str) -> &'a Value {
    v.pointer(ptr).unwrap_or(&Value::Null)
}

pub(super) fn s(v: &Value, ptr: &str) -> String {
    json_text(at(v, ptr))
}

pub(super) fn list(v: &Value, ptr: &str) -> Vec<String> {
    at(v, ptr)
        .as_array()
        .map(|a| a.iter().map(json_text).collect())
        .unwrap_or_default()
}

pub(super) fn none_or(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        and_list(items)
    }
}

/// Capabilities are written with and without `CAP_`, in any case.
fn cap_name(c: &str) -> String {
    let up = c.to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

/// `no-new-privileges`, `no-new-privileges:true` and `no-new-privileges=true` are one option,
/// with any value the engine reads as true (Go's ParseBool: `1`, `t`, `True`...).
fn sec_opt(o: &str) -> String {
    let o = o.replace('=', ":");
    match o.split_once(':') {
        Some((key, value))
            if key == "no-new-privileges"
                && matches!(value, "1" | "t" | "T" | "true" | "TRUE" | "True") =>
        {
            key.to_string()
        }
        _ => o,
    }
}

/// The lab's own names: its project, and the network and volume names of its stack
/// (`default` among the networks), which the engine knows as `<project>-<name>`.
pub struct Scope<'a> {
    pub project: &'a str,
    pub networks: &'a [String],
    pub volumes: &'a [String],
    /// The names the container's image has now (it may have been run by its id).
    pub image_tags: &'a [String],
    /// What a relative host path in `mounts` is relative to: the workspace, where the
    /// student runs `docker run -v "$PWD/data:/data"`, else the lab folder, as the stack's
    /// `./data:/data` is.
    pub workspace: &'a Path,
    pub lab_dir: &'a Path,
    /// Whether the engine can limit swap (without, it keeps no swap limit at all).
    pub swap_limit: bool,
}

use super::attachments::attachments;

/// Every difference, as a sentence.
pub fn compare(c: &ContainerCheck, v: &Value, scope: &Scope) -> Vec<String> {
    let mut p = Vec::new();
    state(c, v, &mut p);
    config(c, v, scope.image_tags, &mut p);
    attachments(c, v, scope, &mut p);
    security(c, v, &mut p);
    limits(c, v, scope.swap_limit, &mut p);
    lifecycle(c, v, &mut p);
    for a in &c.inspect {
        match v.pointer(&a.path) {
            Some(val) if same_setting(&a.path, &a.matcher, val) => {}
            Some(val) => p.push(format!(
                "expected its setting {} to {}; it is {}",
                a.path,
                wanted(unmet(&a.matcher, &|m| json(m, val))),
                seen(&json_text(val))
            )),
            None => p.push(format!("it has no setting {}", a.path)),
        }
    }
    p
}

fn state(c: &ContainerCheck, v: &Value, p: &mut Vec<String>) {
    if let Some(want) = &c.state {
        let got = s(v, "/State/Status");
        if &got != want {
            let code = if got == "exited" {
                format!(" (exit code {})", s(v, "/State/ExitCode"))
            } else {
                String::new()
            };
            p.push(format!("expected it to be {want}; it is {got}{code}"));
        }
    }
    if let Some(want) = &c.health {
        let got = match at(v, "/State/Health/Status") {
            Value::Null => "none".to_string(),
            other => json_text(other),
        };
        if &got != want {
            p.push(if got == "none" {
                format!("expected it to report {want}; it has no health check")
            } else {
                format!("expected it to report {want}; it reports {got}")
            });
        }
    }
    if let Some(m) = &c.exit_code {
        let got = s(v, "/State/ExitCode");
        if !text(m, &got) {
            p.push(format!(
                "expected its exit code to {}; it is {got}",
                wanted(unmet(m, &|x| text(x, &got)))
            ));
        }
    }
}

fn config(c: &ContainerCheck, v: &Value, image_tags: &[String], p: &mut Vec<String>) {
    if let Some(m) = &c.image {
        let got = s(v, "/Config/Image");
        // The engine keeps the image as the container was given it. Given a name, that
        // name is the answer: `app:1.0` is not `app:latest` because one image has both.
        // Given the image's id (or a digest), it names no tag: then any name the image has.
        let image_tags = if run_by_content(&got, &s(v, "/Image")) {
            image_tags
        } else {
            &[]
        };
        // `busybox:1.36` and `docker.io/library/busybox:1.36` are one image: each leaf of
        // `not`/`any` in every form.
        let leaf = |x: &Matcher| match x {
            Matcher::Equals(crate::model::Literal::Str(want)) => {
                crate::checks::equiv::same_image(want, &got)
                    || image_tags
                        .iter()
                        .any(|t| crate::checks::equiv::same_image(want, t))
            }
            other => std::iter::once(&got).chain(image_tags).any(|name| {
                text(other, name) || text(other, &crate::checks::equiv::image_ref(name))
            }),
        };
        let same = |x: &Matcher| crate::checks::matcher::with_leaf(x, &leaf);
        if !same(m) {
            p.push(format!(
                "expected its image to {}; it runs {got}",
                wanted(unmet(m, &same))
            ));
        }
    }
    let labels = at(v, "/Config/Labels");
    for (k, m) in &c.labels {
        match labels.get(k) {
            Some(val) if json(m, val) => {}
            Some(val) => p.push(format!(
                "expected its label {k} to {}; it is {}",
                wanted(unmet(m, &|x| json(x, val))),
                seen(&json_text(val))
            )),
            None => p.push(format!("expected a label {k}; it has none")),
        }
    }
    let env = list(v, "/Config/Env");
    for (k, m) in &c.env {
        match env.iter().find_map(|e| e.strip_prefix(&format!("{k}="))) {
            Some(val) if text(m, val) => {}
            Some(val) => p.push(format!(
                "expected its variable {k} to {}; it is {}",
                wanted(unmet(m, &|x| text(x, val))),
                seen(val)
            )),
            None => p.push(format!("expected the variable {k} to be set; it is not")),
        }
    }
    if let Some(m) = &c.user {
        let got = s(v, "/Config/User");
        if let Some(part) = crate::checks::equiv::user_unmet(m, &got) {
            p.push(format!(
                "expected its user to {}; it runs as {}",
                wanted(&part),
                shown_user(&got)
            ));
        }
    }
    if c.root == Some(false) && is_root(&s(v, "/Config/User")) {
        p.push(format!(
            "expected it to run as a user other than root; it runs as {}",
            shown_user(&s(v, "/Config/User"))
        ));
    }
    if c.root == Some(true) && !is_root(&s(v, "/Config/User")) {
        p.push(format!(
            "expected it to run as root; it runs as {}",
            s(v, "/Config/User")
        ));
    }
}

/// Whether the container was run by its image's id (`0c7b9f67…`, `sha256:…`, or a prefix)
/// or by a digest (`app@sha256:…`), which name the content and no tag.
fn run_by_content(given: &str, image_id: &str) -> bool {
    let hex = given.strip_prefix("sha256:").unwrap_or(given);
    let id = image_id.strip_prefix("sha256:").unwrap_or(image_id);
    given.contains('@')
        || (!hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) && id.starts_with(hex))
}

fn shown_user(user: &str) -> String {
    if user.is_empty() {
        "root (no user is set)".into()
    } else {
        user.to_string()
    }
}

/// Root: no user, `root`, or uid 0 (with any group).
fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default();
    name.is_empty() || name == "root" || name == "0"
}

pub(super) fn ro_word(ro: bool) -> &'static str {
    if ro { "read-only" } else { "writable" }
}

fn security(c: &ContainerCheck, v: &Value, p: &mut Vec<String>) {
    if let Some(want) = c.read_only {
        let got = at(v, "/HostConfig/ReadonlyRootfs")
            .as_bool()
            .unwrap_or(false);
        if got != want {
            p.push(format!(
                "expected a {} root filesystem; it is {}",
                ro_word(want),
                ro_word(got)
            ));
        }
    }
    let caps = |ptr: &str| -> Vec<String> { list(v, ptr).iter().map(|c| cap_name(c)).collect() };
    let (added, dropped) = (caps("/HostConfig/CapAdd"), caps("/HostConfig/CapDrop"));
    // As the engine applies them: `--cap-add ALL` is every capability but those dropped;
    // `--cap-drop ALL` leaves only those added; else the drops go, then the adds come.
    let all = |list: &[String]| list.iter().any(|c| c == "ALL");
    let has = |list: &[String], cap: &str| list.iter().any(|c| c == cap);
    let is_dropped = |cap: &str| {
        if all(&added) {
            has(&dropped, cap)
        } else if all(&dropped) {
            !has(&added, cap)
        } else {
            has(&dropped, cap) && !has(&added, cap)
        }
    };
    for cap in &c.cap_add {
        let cap_is = cap_name(cap);
        if !(has(&added, &cap_is) || all(&added)) || (cap_is != "ALL" && is_dropped(&cap_is)) {
            p.push(format!(
                "expected the capability {} to be added; it is not",
                cap_name(cap)
            ));
        }
    }
    for cap in &c.cap_drop {
        let cap_is = cap_name(cap);
        let gone = if cap_is == "ALL" {
            all(&dropped)
        } else {
            is_dropped(&cap_is)
        };
        if !gone {
            p.push(format!(
                "expected the capability {} to be dropped; it is not",
                cap_name(cap)
            ));
        }
    }
    let opts: Vec<String> = list(v, "/HostConfig/SecurityOpt")
        .iter()
        .map(|o| sec_opt(o))
        .collect();
    for o in &c.security_opt {
        if !opts.contains(&sec_opt(o)) {
            p.push(format!(
                "expected the security option {o}; it has {}",
                none_or(&opts)
            ));
        }
    }
}

fn limits(c: &ContainerCheck, v: &Value, swap_limit: bool, p: &mut Vec<String>) {
    if let Some(want) = c.mem_limit {
        let got = at(v, "/HostConfig/Memory").as_u64().unwrap_or(0);
        if got != want.0 {
            p.push(format!(
                "expected a memory limit of {}; it has {}",
                bytes(want.0),
                if got == 0 { "none".into() } else { bytes(got) }
            ));
        }
    }
    // `--memory` alone lets the container swap as much again (the engine sets memory and
    // swap together to twice the memory); an engine that cannot limit swap keeps none
    // (-1), whatever was asked, and then there is nothing to tell apart.
    if let Some(want) = c.memswap_limit
        && swap_limit
    {
        let got = at(v, "/HostConfig/MemorySwap").as_i64().unwrap_or(0);
        if got != want.0 as i64 {
            p.push(format!(
                "expected memory and swap limited to {} together; it has {}",
                bytes(want.0),
                match got {
                    ..0 => "no swap limit".to_string(),
                    0 => "none".to_string(),
                    n => bytes(n as u64),
                }
            ));
        }
    }
    if let Some(want) = c.cpus {
        let nano = at(v, "/HostConfig/NanoCpus").as_i64().unwrap_or(0);
        let quota = at(v, "/HostConfig/CpuQuota").as_i64().unwrap_or(0);
        let period = at(v, "/HostConfig/CpuPeriod").as_i64().unwrap_or(0);
        let got = if nano > 0 {
            nano as f64 / 1e9
        } else if quota > 0 {
            // `--cpu-quota` alone leaves the period at 0: the kernel's default, 100 ms.
            let period = if period > 0 { period } else { 100_000 };
            quota as f64 / period as f64
        } else {
            0.0
        };
        if (got - want).abs() > 0.001 {
            p.push(format!(
                "expected a limit of {want} CPUs; it has {}",
                if got == 0.0 {
                    "none".into()
                } else {
                    got.to_string()
                }
            ));
        }
    }
    if let Some(want) = c.pids_limit {
        let got = at(v, "/HostConfig/PidsLimit").as_i64().unwrap_or(0);
        // 0 and -1 both mean no limit (the engine stores either, or nothing).
        if got != want && !(got <= 0 && want <= 0) {
            p.push(format!(
                "expected {}; it has {}",
                if want <= 0 {
                    "no limit on processes".to_string()
                } else {
                    format!("a limit of {want} processes")
                },
                if got <= 0 {
                    "none".into()
                } else {
                    got.to_string()
                }
            ));
        }
    }
}

/// `67108864` → `64 MiB`.
fn bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

fn lifecycle(c: &ContainerCheck, v: &Value, p: &mut Vec<String>) {
    if let Some(want) = &c.restart_policy {
        let got = match s(v, "/HostConfig/RestartPolicy/Name").as_str() {
            "" => "no".to_string(),
            other => other.to_string(),
        };
        if &got != want {
            let has = if got == "no" { "none".to_string() } else { got };
            p.push(format!("expected the restart policy {want}; it has {has}"));
        }
    }
    if let Some(want) = &c.log_driver {
        let got = s(v, "/HostConfig/LogConfig/Type");
        if &got != want {
            p.push(format!("expected the log driver {want}; it uses {got}"));
        }
    }
    for (k, want) in &c.log_options {
        let got = at(v, &format!("/HostConfig/LogConfig/Config/{k}"));
        let got = (!got.is_null()).then(|| json_text(got));
        if !got.as_deref().is_some_and(|g| same_value(k, want, g)) {
            p.push(format!(
                "expected the log option {k} to be {want}; it is {}",
                got.map(|g| format!("\"{g}\""))
                    .unwrap_or_else(|| "not set".into())
            ));
        }
    }
    if let Some(want) = &c.stop_signal {
        let raw = s(v, "/Config/StopSignal");
        // No stop signal set means the engine's default, SIGTERM.
        let got = crate::model::signal::normalize(&raw).unwrap_or_else(|| "TERM".into());
        if &got != want {
            p.push(format!(
                "expected it to stop with SIG{want}; it stops with SIG{got}"
            ));
        }
    }
    if let Some(want) = c.stop_grace_period {
        let got = at(v, "/Config/StopTimeout").as_u64();
        // None set is the engine's default, 10 s: the same as asking for 10 s.
        if got.unwrap_or(10) != want.0.as_secs() {
            p.push(format!(
                "expected a stop grace period of {}; it is {}",
                Dur(want.0),
                got.map(|s| format!("{s}s"))
                    .unwrap_or_else(|| "10s (the default)".into())
            ));
        }
    }
}

/// Two values of one option as the engine reads them: sizes in any unit (`1m` = `1M` =
/// `1048576`), numbers as numbers, signals by any name, else text without case.
fn same_value(key: &str, want: &str, got: &str) -> bool {
    if (key.contains("size") || key.ends_with("limit"))
        && let (Ok(a), Ok(b)) = (ByteSize::parse(want), ByteSize::parse(got))
    {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (want.trim().parse::<f64>(), got.trim().parse::<f64>()) {
        return a == b;
    }
    want.trim().eq_ignore_ascii_case(got.trim())
}

/// An `inspect:` assertion, with Docker's equivalences for the settings that have them.
fn same_setting(path: &str, m: &Matcher, val: &Value) -> bool {
    if json(m, val) {
        return true;
    }
    let Matcher::Equals(lit) = m else {
        return false;
    };
    let (want, got) = (lit.text(), json_text(val));
    if path.ends_with("/StopSignal") {
        return crate::model::signal::normalize(&want).is_some()
            && crate::model::signal::normalize(&want) == crate::model::signal::normalize(&got);
    }
    // Sizes in any unit and numbers as numbers; any other text exactly (`/srv` is not
    // `/SRV`, nor `nobody` `NOBODY`).
    let key = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if (key.contains("size") || key.contains("memory") || key.ends_with("limit"))
        && let (Ok(a), Ok(b)) = (ByteSize::parse(&want), ByteSize::parse(&got))
    {
        return a == b;
    }
    matches!(
        (want.trim().parse::<f64>(), got.trim().parse::<f64>()),
        (Ok(a), Ok(b)) if a == b
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_values() {
        assert!(same_value("max-size", "1m", "1M"));
        assert!(same_value("max-size", "1m", "1048576"));
        assert!(same_value("max-file", "3", "3"));
        assert!(!same_value("max-size", "1m", "2m"));
        assert!(is_root("") && is_root("0:0") && is_root("root") && !is_root("65534:65534"));
        assert_eq!(bytes(64 << 20), "64 MiB");
        let quit = Matcher::Equals(crate::model::Literal::Str("SIGQUIT".into()));
        assert!(same_setting(
            "/Config/StopSignal",
            &quit,
            &Value::String("QUIT".into())
        ));
        assert!(same_setting(
            "/Config/StopSignal",
            &quit,
            &Value::String("3".into())
        ));
    }
}
