//! Actions of `before:` (LAB_FORMAT.md §4.3).

use super::stack::{command, normalize_signal};
use super::{Ctx, Fields, Schema, duration, string};
use crate::course::yaml::{Node, Value};
use crate::model::{Action, ConnectAction, ExecSpec, KillAction, Target};

const ACTIONS: &[&str] = &[
    "stop",
    "start",
    "restart",
    "kill",
    "pause",
    "unpause",
    "exec",
    "sleep",
    "disconnect",
    "connect",
    "command",
];
const COMMAND: Schema = Schema::known(&["run"]);

const TARGET_ONLY: Schema = Schema::known(&["service", "replica", "container"]);
const KILL: Schema = Schema::known(&["service", "replica", "container", "signal"]);
const CONNECT: Schema = Schema::known(&["service", "replica", "container", "network", "aliases"]);
pub const EXEC: Schema = Schema::known(&[
    "service",
    "replica",
    "container",
    "cmd",
    "user",
    "workdir",
    "env",
]);

/// Services named by checks and actions, with their positions, for the lab-level reference
/// check; the flag is set where a `container:` could stand instead (a target, not `from:`).
/// Services named by checks and actions: the name, where, whether it is the check's target
/// (not a `from:` peer), and the replica asked for (`replica: 2`) with where.
pub type Refs = Vec<(
    String,
    crate::course::yaml::Pos,
    bool,
    Option<(u32, crate::course::yaml::Pos)>,
)>;

pub fn decode_list(ctx: &mut Ctx, node: &Node, refs: &mut Refs) -> Vec<Action> {
    let Some(items) = node.as_seq() else {
        ctx.error(
            node.pos,
            format!(
                "expected a list of actions for \"before\", found {}",
                node.kind_name()
            ),
        );
        return Vec::new();
    };
    items.iter().filter_map(|n| decode(ctx, n, refs)).collect()
}

/// `after:`: actions that put things back once the check is done (also when grading is
/// interrupted), so only those that state where to go back to: start, stop, pause, unpause,
/// exec, connect, disconnect.
pub fn decode_after(ctx: &mut Ctx, node: &Node, refs: &mut Refs) -> Vec<Action> {
    let Some(items) = node.as_seq() else {
        ctx.error(
            node.pos,
            format!(
                "expected a list of actions for \"after\", found {}",
                node.kind_name()
            ),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for n in items {
        let Some(action) = decode(ctx, n, refs) else {
            continue;
        };
        match action {
            Action::Kill(_) | Action::Restart(_) | Action::Sleep(_) | Action::Command(_) => {
                ctx.error(
                    n.pos,
                    "\"after\" puts things back, so it takes start, stop, pause, unpause, exec, connect or disconnect",
                );
            }
            a => out.push(a),
        }
    }
    out
}

fn decode(ctx: &mut Ctx, node: &Node, refs: &mut Refs) -> Option<Action> {
    let entries = match &node.value {
        Value::Map(e) if e.len() == 1 => e,
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "an action is a one-key map such as {{restart: web}} ({}), found {}",
                    ACTIONS.join(", "),
                    node.kind_name()
                ),
            );
            return None;
        }
    };
    let (k, v) = &entries[0];
    let name = k.scalar_text().unwrap_or_default();
    let what = format!("action \"{name}\"");
    Some(match name.as_str() {
        "stop" => Action::Stop(target(ctx, v, &what, refs)?),
        "start" => Action::Start(target(ctx, v, &what, refs)?),
        "restart" => Action::Restart(target(ctx, v, &what, refs)?),
        "pause" => Action::Pause(target(ctx, v, &what, refs)?),
        "unpause" => Action::Unpause(target(ctx, v, &what, refs)?),
        "sleep" => Action::Sleep(duration(ctx, v, &what)?),
        "kill" => {
            let f = Fields::open(ctx, v, &what, &KILL, false)?;
            let t = fields_target(ctx, &f, refs)?;
            let signal = match f.get("signal") {
                None => "KILL".to_string(),
                Some(n) => {
                    let s = string(ctx, n, &f.field("signal"))?;
                    match normalize_signal(&s) {
                        Some(sig) => sig,
                        None => {
                            ctx.error(n.pos, format!("unknown signal \"{s}\" in {what}"))
                                .help =
                                Some("use a name such as SIGKILL, SIGTERM or SIGINT".into());
                            return None;
                        }
                    }
                }
            };
            Action::Kill(KillAction { target: t, signal })
        }
        "exec" => Action::Exec(exec_spec(ctx, v, &what, refs)?),
        // A shell command on the host, in the workspace: `command: "./automate.sh"` or
        // `command: {run: …}`. What it does is what the check looks at.
        "command" => match &v.value {
            Value::Str(s) => Action::Command(s.clone()),
            _ => {
                let f = Fields::open(ctx, v, &what, &COMMAND, false)?;
                Action::Command(f.req_str(ctx, "run")?)
            }
        },
        "connect" | "disconnect" => {
            let f = Fields::open(ctx, v, &what, &CONNECT, false)?;
            let t = fields_target(ctx, &f, refs)?;
            let network = f.req_str(ctx, "network")?;
            let aliases = f.str_list(ctx, "aliases");
            let a = ConnectAction {
                target: t,
                network,
                aliases,
            };
            if name == "connect" {
                Action::Connect(a)
            } else {
                Action::Disconnect(a)
            }
        }
        other => {
            let d = ctx.error(k.pos, format!("unknown action \"{other}\""));
            match super::nearest(other, ACTIONS) {
                Some(near) => d.suggestion = Some(format!("did you mean \"{near}\"?")),
                None => d.help = Some(format!("actions: {}", ACTIONS.join(", "))),
            }
            return None;
        }
    })
}

/// `stop: web` (a service) or `stop: {container: name}`.
fn target(ctx: &mut Ctx, node: &Node, what: &str, refs: &mut Refs) -> Option<Target> {
    if let Value::Str(s) = &node.value {
        refs.push((s.clone(), node.pos, true, None));
        return Some(Target::Service(s.clone()));
    }
    let f = Fields::open(ctx, node, what, &TARGET_ONLY, false)?;
    fields_target(ctx, &f, refs)
}

/// `service:` or `container:` among a map's fields; exactly one.
pub fn fields_target(ctx: &mut Ctx, f: &Fields, refs: &mut Refs) -> Option<Target> {
    match (f.get("service"), f.get("container")) {
        (Some(s), None) => {
            let name = string(ctx, s, &f.field("service"))?;
            match f.get("replica") {
                // Whether the service has that many is the lab's to check, with the stack.
                Some(r) => {
                    let n = f.int(ctx, "replica", 1, 1000)? as u32;
                    refs.push((name.clone(), s.pos, true, Some((n, r.pos))));
                    Some(Target::Replica(name, n))
                }
                None => {
                    refs.push((name.clone(), s.pos, true, None));
                    Some(Target::Service(name))
                }
            }
        }
        (None, Some(c)) => {
            if let Some(r) = f.get("replica") {
                ctx.error(
                    r.pos,
                    format!(
                        "\"replica\" in {} goes with \"service\"; a container is named in full",
                        f.what
                    ),
                );
            }
            Some(Target::Container(string(ctx, c, &f.field("container"))?))
        }
        (Some(_), Some(c)) => {
            ctx.error(
                c.pos,
                format!("{} names both a service and a container; give one", f.what),
            );
            None
        }
        (None, None) => {
            ctx.error(f.pos, format!("{} needs a target: \"service\" (a stack service) or \"container\" (a container by name)", f.what));
            None
        }
    }
}

pub fn exec_spec(ctx: &mut Ctx, node: &Node, what: &str, refs: &mut Refs) -> Option<ExecSpec> {
    let f = Fields::open(ctx, node, what, &EXEC, false)?;
    exec_fields(ctx, &f, refs)
}

pub fn exec_fields(ctx: &mut Ctx, f: &Fields, refs: &mut Refs) -> Option<ExecSpec> {
    let t = fields_target(ctx, f, refs);
    let cmd = f
        .required(ctx, "cmd")
        .and_then(|n| command(ctx, n, &f.field("cmd")));
    Some(ExecSpec {
        target: t?,
        cmd: cmd?,
        user: f.str(ctx, "user"),
        workdir: f.str(ctx, "workdir"),
        env: f.str_map(ctx, "env"),
    })
}
