//! The `yaml stack` block: Compose's fields, typed, with lab's safety policy.
//!
//! One file per concern of a service (ports, mounts, networks, dependencies, ...); this one
//! walks the top level and hands each service to [`service`].

mod build;
mod command;
mod depends;
mod healthcheck;
mod mounts;
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
    let entries = named_map(ctx, services, "\"services\"");
    let names: BTreeSet<String> = entries.iter().map(|(n, _, _)| n.clone()).collect();
    let mut dep_pos: depends::Positions = BTreeMap::new();
    for (name, key, body) in &entries {
        if !valid_service_name(name) {
            ctx.error(
                key.pos,
                format!("service name \"{name}\" may only hold letters, digits, '.', '_' and '-'"),
            );
        }
        if let Some(s) = service::decode(ctx, name, body, &declared, &names, &mut dep_pos) {
            stack.services.push(s);
        }
    }
    depends::report_cycles(ctx, &stack, &dep_pos);
    Some(stack)
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
