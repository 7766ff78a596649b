//! `container`: the engine's view of one container matches every field given.

use serde_json::Value;

use crate::checks::context::RunContext;
use crate::checks::matcher::{describe, json, json_text, quote, text};
use crate::checks::outcome::Outcome;
use crate::checks::target::find;
use crate::engine::inspect;
use crate::model::ContainerCheck;

pub async fn run(ctx: &RunContext, c: &ContainerCheck) -> Outcome {
    let Some(target) = &c.target else {
        return Outcome::error("the check names no container");
    };
    let found = match find(ctx, target).await {
        Ok(f) => f,
        Err(o) => return o,
    };
    let engine = match ctx.engine() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    let v = match inspect::container(engine, &found.id).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Outcome::error(format!("{} went away while it was looked at", found.name));
        }
        Err(e) => return Outcome::error(e.to_string()),
    };
    let problems = compare(c, &v, &ctx.project);
    let evidence = summary(&v);
    if problems.is_empty() {
        Outcome::pass(format!("{} is as expected", found.name)).evidence(evidence)
    } else {
        Outcome::fail(format!("{}: {}", found.name, problems.join("; "))).evidence(evidence)
    }
}

fn at<'a>(v: &'a Value, ptr: &str) -> &'a Value {
    v.pointer(ptr).unwrap_or(&Value::Null)
}

fn s(v: &Value, ptr: &str) -> String {
    json_text(at(v, ptr))
}

fn list(v: &Value, ptr: &str) -> Vec<String> {
    at(v, ptr)
        .as_array()
        .map(|a| a.iter().map(json_text).collect())
        .unwrap_or_default()
}

/// Capabilities are written with and without `CAP_`, in any case.
fn cap_name(c: &str) -> String {
    let up = c.to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

/// `no-new-privileges`, `no-new-privileges:true` and `no-new-privileges=true` are one option.
fn sec_opt(o: &str) -> String {
    let o = o.replace('=', ":");
    o.strip_suffix(":true").map(str::to_string).unwrap_or(o)
}

/// Every difference, as "expected …, found …".
pub fn compare(c: &ContainerCheck, v: &Value, project: &str) -> Vec<String> {
    let mut p = Vec::new();
    if let Some(want) = &c.state {
        let got = s(v, "/State/Status");
        if &got != want {
            p.push(format!("expected state {want}, found {got}"));
        }
    }
    if let Some(want) = &c.health {
        let got = match at(v, "/State/Health/Status") {
            Value::Null => "none".to_string(),
            other => json_text(other),
        };
        if &got != want {
            let hint = if got == "none" {
                " (it has no health check)"
            } else {
                ""
            };
            p.push(format!("expected health {want}, found {got}{hint}"));
        }
    }
    if let Some(m) = &c.exit_code {
        let got = s(v, "/State/ExitCode");
        if !text(m, &got) {
            p.push(format!(
                "expected an exit code that {}, found {got}",
                describe(m)
            ));
        }
    }
    if let Some(m) = &c.image {
        let got = s(v, "/Config/Image");
        if !text(m, &got) {
            p.push(format!(
                "expected an image that {}, found {}",
                describe(m),
                quote(&got)
            ));
        }
    }
    super::objects::labels(v, "/Config/Labels", &c.labels, &mut p);
    let env = list(v, "/Config/Env");
    for (k, m) in &c.env {
        let found = env.iter().find_map(|e| e.strip_prefix(&format!("{k}=")));
        match found {
            Some(val) if text(m, val) => {}
            Some(val) => p.push(format!(
                "expected {k} that {}, found {}",
                describe(m),
                quote(val)
            )),
            None => p.push(format!("expected the variable {k} to be set, it is not")),
        }
    }
    let nets: Vec<String> = at(v, "/NetworkSettings/Networks")
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    for n in &c.networks {
        let scoped = format!("{project}-{n}");
        if !nets.iter().any(|x| x == n || *x == scoped) {
            p.push(format!(
                "expected to be on network {n}, found {}",
                if nets.is_empty() {
                    "none".into()
                } else {
                    nets.join(", ")
                }
            ));
        }
    }
    for port in &c.ports {
        let bound = at(v, "/NetworkSettings/Ports")
            .as_object()
            .is_some_and(|o| {
                o.iter().any(|(k, b)| {
                    k.starts_with(&format!("{port}/"))
                        && b.as_array().is_some_and(|a| !a.is_empty())
                })
            });
        if !bound {
            p.push(format!("expected port {port} to be published, it is not"));
        }
    }
    let mounts: Vec<String> = at(v, "/Mounts")
        .as_array()
        .map(|a| a.iter().map(|m| s(m, "/Destination")).collect())
        .unwrap_or_default();
    for m in &c.mounts {
        if !mounts.contains(m) {
            p.push(format!(
                "expected a mount at {m}, found {}",
                if mounts.is_empty() {
                    "none".into()
                } else {
                    mounts.join(", ")
                }
            ));
        }
    }
    if let Some(want) = &c.restart_policy {
        let got = match s(v, "/HostConfig/RestartPolicy/Name").as_str() {
            "" => "no".to_string(),
            other => other.to_string(),
        };
        if &got != want {
            p.push(format!("expected restart policy {want}, found {got}"));
        }
    }
    if let Some(m) = &c.user {
        let got = s(v, "/Config/User");
        let shown = if got.is_empty() {
            "root (no user set)".to_string()
        } else {
            got.clone()
        };
        if !text(m, &got) {
            p.push(format!(
                "expected a user that {}, found {shown}",
                describe(m)
            ));
        }
    }
    if let Some(want) = c.read_only {
        let got = at(v, "/HostConfig/ReadonlyRootfs")
            .as_bool()
            .unwrap_or(false);
        if got != want {
            p.push(format!(
                "expected a {} root filesystem, found {}",
                ro(want),
                ro(got)
            ));
        }
    }
    let caps = |ptr: &str| -> Vec<String> { list(v, ptr).iter().map(|c| cap_name(c)).collect() };
    let (added, dropped) = (caps("/HostConfig/CapAdd"), caps("/HostConfig/CapDrop"));
    for cap in &c.cap_add {
        if !added.contains(&cap_name(cap)) {
            p.push(format!(
                "expected capability {} to be added, it is not",
                cap_name(cap)
            ));
        }
    }
    for cap in &c.cap_drop {
        if !dropped.contains(&cap_name(cap)) {
            p.push(format!(
                "expected capability {} to be dropped, it is not",
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
                "expected security option {o}, found {}",
                if opts.is_empty() {
                    "none".into()
                } else {
                    opts.join(", ")
                }
            ));
        }
    }
    if let Some(want) = c.mem_limit {
        let got = at(v, "/HostConfig/Memory").as_u64().unwrap_or(0);
        if got != want.0 {
            p.push(format!(
                "expected a memory limit of {} bytes, found {}",
                want.0,
                if got == 0 {
                    "none".into()
                } else {
                    got.to_string()
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
        } else if quota > 0 && period > 0 {
            quota as f64 / period as f64
        } else {
            0.0
        };
        if (got - want).abs() > 0.001 {
            p.push(format!(
                "expected a CPU limit of {want}, found {}",
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
        if got != want {
            p.push(format!(
                "expected a PIDs limit of {want}, found {}",
                if got <= 0 {
                    "none".into()
                } else {
                    got.to_string()
                }
            ));
        }
    }
    if let Some(want) = &c.log_driver {
        let got = s(v, "/HostConfig/LogConfig/Type");
        if &got != want {
            p.push(format!("expected log driver {want}, found {got}"));
        }
    }
    for a in &c.inspect {
        match v.pointer(&a.path) {
            Some(val) if json(&a.matcher, val) => {}
            Some(val) => p.push(format!(
                "expected {} to be such that it {}, found {}",
                a.path,
                describe(&a.matcher),
                quote(&json_text(val))
            )),
            None => p.push(format!(
                "{} is not in the container's inspect output",
                a.path
            )),
        }
    }
    p
}

fn ro(b: bool) -> &'static str {
    if b { "read-only" } else { "writable" }
}

/// The fields students usually look at, as evidence.
fn summary(v: &Value) -> String {
    let health = match at(v, "/State/Health/Status") {
        Value::Null => "none".to_string(),
        h => json_text(h),
    };
    format!(
        "name: {}\nimage: {}\nstate: {} (exit code {})\nhealth: {}\nrestart policy: {}\nuser: {}\n",
        s(v, "/Name").trim_start_matches('/'),
        s(v, "/Config/Image"),
        s(v, "/State/Status"),
        s(v, "/State/ExitCode"),
        health,
        s(v, "/HostConfig/RestartPolicy/Name"),
        s(v, "/Config/User"),
    )
}
