//! `container`: a container's state and configuration, field by field, and any other part of
//! its inspect output by JSON pointer.

use super::Refs;
use super::fields::{label_matchers, opt_matcher, port_list};
use crate::course::decode::action::fields_target;
use crate::course::decode::matcher;
use crate::course::decode::{Ctx, Fields, Schema, string, string_map};
use crate::course::diag::nearest;
use crate::course::yaml::{Node, Value};
use crate::model::{ContainerCheck, InspectAssertion, Matcher, MountCheck};

const CONTAINER: Schema = Schema::known(&[
    "service",
    "replica",
    "container",
    "exists",
    "state",
    "health",
    "exit_code",
    "image",
    "labels",
    "env",
    "networks",
    "not_networks",
    "ports",
    "mounts",
    "restart_policy",
    "user",
    "read_only",
    "cap_add",
    "cap_drop",
    "security_opt",
    "mem_limit",
    "memswap_limit",
    "cpus",
    "pids_limit",
    "log_driver",
    "log_options",
    "stop_signal",
    "stop_grace_period",
    "default_command",
    "root",
    "health_test",
    "inspect",
]);
const MOUNT: Schema = Schema::known(&["path", "read_only", "source", "type"]);
const INSPECT: Schema = Schema::known(&[
    "path", "equals", "contains", "matches", "not", "all", "any", "lt", "gt",
]);

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

pub(super) fn decode(
    ctx: &mut Ctx,
    body: &Node,
    what: &str,
    refs: &mut Refs,
) -> Option<ContainerCheck> {
    let f = &Fields::open(ctx, body, what, &CONTAINER, false)?;
    let target = fields_target(ctx, f, refs);
    let mut c = ContainerCheck {
        target,
        exists: f.bool(ctx, "exists").unwrap_or(true),
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
            match nearest(&v, allowed) {
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
    c.not_networks = f.str_list(ctx, "not_networks");
    c.ports = port_list(ctx, f, "ports").unwrap_or_else(|| {
        ok = false;
        Vec::new()
    });
    c.mounts = match f.get("mounts") {
        Some(n) => mounts(ctx, n, &f.field("mounts")).unwrap_or_else(|| {
            ok = false;
            Vec::new()
        }),
        None => Vec::new(),
    };
    c.read_only = f.bool(ctx, "read_only");
    c.cap_add = f.str_list(ctx, "cap_add");
    c.cap_drop = f.str_list(ctx, "cap_drop");
    c.security_opt = f.str_list(ctx, "security_opt");
    c.mem_limit = f.size(ctx, "mem_limit");
    c.memswap_limit = f.size(ctx, "memswap_limit");
    c.cpus = f.float(ctx, "cpus");
    c.pids_limit = f.int(ctx, "pids_limit", -1, i64::from(i32::MAX));
    c.log_driver = f.str(ctx, "log_driver");
    c.log_options = f
        .get("log_options")
        .map(|n| string_map(ctx, n, &f.field("log_options")))
        .unwrap_or_default();
    if let Some(n) = f.get("stop_signal") {
        let text = n.scalar_text().unwrap_or_default();
        match crate::model::signal::normalize(&text) {
            Some(sig) => c.stop_signal = Some(sig),
            None => {
                ctx.error(
                    n.pos,
                    format!("\"{text}\" is not a signal (write e.g. SIGQUIT, QUIT or 3)"),
                );
                ok = false;
            }
        }
    }
    c.stop_grace_period = f.dur(ctx, "stop_grace_period");
    c.default_command = f.bool(ctx, "default_command");
    c.root = f.bool(ctx, "root");
    c.health_test = match f.get("health_test") {
        None => None,
        Some(n) => match n.scalar_text().as_deref() {
            Some("passes") => Some(true),
            Some("fails") => Some(false),
            other => {
                ctx.error(
                    n.pos,
                    format!(
                        "health_test is \"passes\" or \"fails\", found {}",
                        other
                            .map(|o| format!("\"{o}\""))
                            .unwrap_or_else(|| n.kind_name().into())
                    ),
                );
                ok = false;
                None
            }
        },
    };
    if !c.exists
        && f.keys()
            .any(|(k, _, _)| !matches!(k, "service" | "replica" | "container" | "exists"))
    {
        ctx.error(
            f.pos,
            format!(
                "{} says the container must not exist, so it cannot also ask for its fields",
                f.what
            ),
        );
        ok = false;
    }
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

/// `mounts: [/data, {path: /var/log, read_only: true, source: logs}]`.
fn mounts(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Vec<MountCheck>> {
    let Some(items) = node.as_seq() else {
        ctx.error(
            node.pos,
            format!(
                "expected a list of mount paths for {what}, found {}",
                node.kind_name()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for item in items {
        if item.as_map().is_some() {
            let Some(f) = Fields::open(ctx, item, "a mount", &MOUNT, false) else {
                ok = false;
                continue;
            };
            let path = f.req_str(ctx, "path");
            let Ok(kind) = mount_type(ctx, &f) else {
                ok = false;
                continue;
            };
            match path {
                Some(path) => out.push(MountCheck {
                    path,
                    read_only: f.bool(ctx, "read_only"),
                    source: f.str(ctx, "source"),
                    kind,
                }),
                None => ok = false,
            }
        } else if let Some(path) = string(ctx, item, what) {
            out.push(MountCheck {
                path,
                read_only: None,
                source: None,
                kind: None,
            });
        } else {
            ok = false;
        }
    }
    ok.then_some(out)
}

/// A mount's `type`: as `docker inspect` names them under `Mounts` (in any case, kept in
/// lower case).
fn mount_type(ctx: &mut Ctx, f: &Fields) -> Result<Option<String>, ()> {
    const TYPES: &[&str] = &["volume", "bind", "tmpfs"];
    let Some(n) = f.get("type") else {
        return Ok(None);
    };
    let v = string(ctx, n, &f.field("type")).ok_or(())?;
    let lower = v.to_ascii_lowercase();
    if TYPES.contains(&lower.as_str()) {
        return Ok(Some(lower));
    }
    let d = ctx.error(n.pos, format!("unknown mount type \"{v}\" in {}", f.what));
    match nearest(&v, TYPES) {
        Some(near) => d.suggestion = Some(format!("did you mean \"{near}\"?")),
        None => d.help = Some(format!("use one of {}", TYPES.join(", "))),
    }
    Err(())
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
