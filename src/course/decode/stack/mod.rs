//! The `yaml stack` block: Compose's fields, typed, with lab's safety policy.
//!
//! One file per concern of a service (ports, mounts, networks, dependencies, ...); this one
//! walks the top level and hands each service to [`service`].

mod build;
mod command;
mod depends;
mod healthcheck;
mod mounts;
mod nested;
mod networks;
mod ports;
mod replicas;
mod service;

use std::collections::{BTreeMap, BTreeSet};

use super::{Ctx, Fields, Schema, string};
use crate::course::yaml::{Node, Value};
use crate::model::Stack;

pub use command::{command, normalize_signal};
pub use ports::parse_port;
pub use service::SERVICE_KEYS;

const TOP: Schema = Schema {
    known: &["services", "networks", "volumes", "version"],
    unsupported: &["name", "configs", "secrets", "include", "models"],
};

/// Decode a stack block. Returns `None` when the block is not a map at all.
pub fn decode(ctx: &mut Ctx, node: &Node) -> Option<Stack> {
    let top = Fields::open(ctx, node, "the stack", &TOP, true)?;
    let mut stack = Stack::default();

    if let Some(nets) = top.get("networks") {
        stack.networks = named_map(ctx, nets, "\"networks\"")
            .into_iter()
            .filter_map(|(name, _, v)| networks::definition(ctx, &name, v))
            .collect();
    }
    if let Some(vols) = top.get("volumes") {
        stack.volumes = named_map(ctx, vols, "\"volumes\"")
            .into_iter()
            .filter_map(|(name, _, v)| mounts::definition(ctx, &name, v))
            .collect();
    }
    let declared = Declared {
        networks: stack.networks.iter().map(|n| n.name.clone()).collect(),
        volumes: stack.volumes.iter().map(|v| v.name.clone()).collect(),
    };

    let Some(services) = top.required(ctx, "services") else {
        return Some(stack);
    };
    let mut entries = named_map(ctx, services, "\"services\"");
    stray_service_keys(ctx, &mut entries);
    let names: BTreeSet<String> = entries.iter().map(|(n, _, _)| n.clone()).collect();
    let mut dep_pos: depends::Positions = BTreeMap::new();
    let mut owners: Vec<(usize, String)> = Vec::new();
    for (name, key, body) in &entries {
        let first = ctx.diags.len();
        if !valid_service_name(name) {
            ctx.error(
                key.pos,
                format!("service name \"{name}\" may only hold letters, digits, '.', '_' and '-'"),
            );
        }
        if let Some(s) = service::decode(ctx, name, body, &declared, &names, &mut dep_pos) {
            stack.services.push(s);
        }
        owners.extend((first..ctx.diags.len()).map(|i| (i, name.clone())));
    }
    shared_once(ctx, &owners);
    depends::report_cycles(ctx, &stack, &dep_pos);
    Some(stack)
}

/// `db:` with nothing under it, then `image: x` at the same level: the service's keys were
/// not indented, so they read as services. Say so once per key and decode neither.
fn stray_service_keys(ctx: &mut Ctx, entries: &mut Vec<(String, &Node, &Node)>) {
    let mut owner: Option<String> = None;
    let mut keep = vec![true; entries.len()];
    for (i, (name, key, body)) in entries.iter().enumerate() {
        if let Some(o) = &owner
            && SERVICE_KEYS.contains(&name.as_str())
        {
            ctx.error(
                key.pos,
                format!("\"{name}\" is written at the level of the services, so it reads as one: indent it under \"{o}:\""),
            );
            keep[i] = false;
            continue;
        }
        owner = body.is_null().then(|| name.clone());
        if owner.is_some()
            && let Some((next, _, _)) = entries.get(i + 1)
            && SERVICE_KEYS.contains(&next.as_str())
        {
            keep[i] = false;
        }
    }
    let mut flags = keep.into_iter();
    entries.retain(|_| flags.next().unwrap_or(true));
}

/// A mistake in an anchor (`x-common: &common`) that several services merge is found once
/// per service, all at the anchor's own place: keep one, and say who shares it.
fn shared_once(ctx: &mut Ctx, owners: &[(usize, String)]) {
    let place = |ctx: &Ctx, i: usize| (ctx.diags[i].line, ctx.diags[i].col);
    let mut sharers: BTreeMap<(Option<u32>, Option<u32>), BTreeSet<&str>> = BTreeMap::new();
    for (i, name) in owners {
        sharers.entry(place(ctx, *i)).or_default().insert(name);
    }
    let mut seen = BTreeSet::new();
    let mut repeats = Vec::new();
    for (i, name) in owners {
        let Some(names) = sharers.get(&place(ctx, *i)).filter(|n| n.len() > 1) else {
            continue;
        };
        let d = &mut ctx.diags[*i];
        let general = d.message.replace(&format!("service \"{name}\""), "service");
        if !seen.insert((d.line, d.col, general)) {
            repeats.push(*i);
            continue;
        }
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let all = format!("services {}", nested::and_list(&quoted));
        d.message = d.message.replace(&format!("service \"{name}\""), &all);
        let note = format!("written once and merged into {all}: fixing it here fixes them all");
        d.help = Some(match d.help.take() {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
    }
    for i in repeats.into_iter().rev() {
        ctx.diags.remove(i);
    }
}

/// The networks and volumes declared at the top level, which services may use.
struct Declared {
    networks: BTreeSet<String>,
    volumes: BTreeSet<String>,
}

/// A map whose keys are names (services, networks, volumes).
fn named_map<'n>(ctx: &mut Ctx, node: &'n Node, what: &str) -> Vec<(String, &'n Node, &'n Node)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| {
                let name = string(ctx, k, &format!("a name in {what}"))?;
                Some((name, k, v))
            })
            .collect(),
        Value::Null => Vec::new(),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a map of names for {what}, found {}",
                    node.kind_name()
                ),
            );
            Vec::new()
        }
    }
}

fn valid_service_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
}

/// A list of items, each decoded by `each`; null is an empty list.
fn list_of<T>(
    ctx: &mut Ctx,
    node: &Node,
    what: &str,
    mut each: impl FnMut(&mut Ctx, &Node) -> Option<T>,
) -> Vec<T> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|n| each(ctx, n)).collect(),
        Value::Null => Vec::new(),
        _ => {
            ctx.error(
                node.pos,
                format!("expected a list for {what}, found {}", node.kind_name()),
            );
            Vec::new()
        }
    }
}
