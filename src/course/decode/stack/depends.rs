//! `depends_on:` of a service, and the stack-wide check that dependencies do not loop.

use std::collections::{BTreeMap, BTreeSet};

use crate::course::decode::{Ctx, Fields, Schema, string};
use crate::course::diag::nearest;
use crate::course::yaml::{Node, Pos, Value};
use crate::model::{Dependency, DependencyCondition, Stack};

/// Where each dependency (service, what it depends on) was written, to report a cycle at the
/// edge that closes it.
pub(super) type Positions = BTreeMap<(String, String), Pos>;

pub(super) const DEPENDS: Schema = Schema {
    known: &["condition"],
    unsupported: &["restart", "required"],
};

pub(super) fn depends_on(
    ctx: &mut Ctx,
    node: &Node,
    me: &str,
    names: &BTreeSet<String>,
    dep_pos: &mut Positions,
) -> Vec<Dependency> {
    let what = format!("\"depends_on\" in service \"{me}\"");
    let mut out = Vec::new();
    let mut add = |ctx: &mut Ctx, name: String, pos: Pos, condition: DependencyCondition| {
        if name == me {
            ctx.error(pos, format!("service \"{me}\" depends on itself"));
            return;
        }
        if !names.contains(&name) {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            let d = ctx.error(
                pos,
                format!(
                    "service \"{me}\" depends on \"{name}\", which is not a service of this stack"
                ),
            );
            if let Some(near) = nearest(&name, &known) {
                d.suggestion = Some(format!("did you mean \"{near}\"?"));
            }
            return;
        }
        dep_pos.insert((me.to_string(), name.clone()), pos);
        out.push(Dependency {
            service: name,
            condition,
        });
    };
    match &node.value {
        Value::Seq(items) => {
            for n in items {
                if let Some(name) = string(ctx, n, &what) {
                    add(ctx, name, n.pos, DependencyCondition::ServiceStarted);
                }
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = string(ctx, k, &what) else {
                    continue;
                };
                let Some(f) = Fields::open(
                    ctx,
                    v,
                    &format!("dependency \"{name}\" of service \"{me}\""),
                    &DEPENDS,
                    true,
                ) else {
                    continue;
                };
                let condition = match f.get("condition") {
                    None => DependencyCondition::ServiceStarted,
                    Some(c) => match string(ctx, c, "a condition").as_deref() {
                        Some("service_started") => DependencyCondition::ServiceStarted,
                        Some("service_healthy") => DependencyCondition::ServiceHealthy,
                        Some("service_completed_successfully") => {
                            DependencyCondition::ServiceCompletedSuccessfully
                        }
                        Some(other) => {
                            let known = [
                                "service_started",
                                "service_healthy",
                                "service_completed_successfully",
                            ];
                            let d = ctx.error(
                                c.pos,
                                format!("unknown condition \"{other}\" for dependency \"{name}\""),
                            );
                            match nearest(other, &known) {
                                Some(near) => {
                                    d.suggestion = Some(format!("did you mean \"{near}\"?"))
                                }
                                None => d.help = Some(format!("use one of {}", known.join(", "))),
                            }
                            continue;
                        }
                        None => continue,
                    },
                };
                add(ctx, name, k.pos, condition);
            }
        }
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a list or a map for {what}, found {}",
                    node.kind_name()
                ),
            );
        }
    }
    out
}

/// Report each dependency cycle once, naming it (`a → b → a`), at the edge that closes it.
pub(super) fn report_cycles(ctx: &mut Ctx, stack: &Stack, dep_pos: &Positions) {
    let edges: BTreeMap<&str, Vec<&str>> = stack
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.depends_on.iter().map(|d| d.service.as_str()).collect(),
            )
        })
        .collect();
    let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    // 0 = unvisited, 1 = on the path, 2 = done
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for s in &stack.services {
        let mut path: Vec<&str> = Vec::new();
        visit(
            s.name.as_str(),
            &edges,
            &mut state,
            &mut path,
            &mut |cycle: Vec<&str>| {
                let members: BTreeSet<String> = cycle.iter().map(|s| s.to_string()).collect();
                if !reported.insert(members) {
                    return;
                }
                let closing = (
                    cycle[cycle.len() - 2].to_string(),
                    cycle[cycle.len() - 1].to_string(),
                );
                let pos = dep_pos.get(&closing).copied().unwrap_or_default();
                ctx.error(pos, format!("dependency cycle: {}", cycle.join(" → ")))
                    .help =
                    Some("depends_on must not loop back; remove one of these dependencies".into());
            },
        );
    }
}

fn visit<'a>(
    node: &'a str,
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    state: &mut BTreeMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
    found: &mut dyn FnMut(Vec<&'a str>),
) {
    match state.get(node).copied().unwrap_or(0) {
        2 => return,
        1 => {
            if let Some(start) = path.iter().position(|n| *n == node) {
                let mut cycle = path[start..].to_vec();
                cycle.push(node);
                found(cycle);
            }
            return;
        }
        _ => {}
    }
    state.insert(node, 1);
    path.push(node);
    for next in edges.get(node).into_iter().flatten() {
        visit(next, edges, state, path, found);
    }
    path.pop();
    state.insert(node, 2);
}
