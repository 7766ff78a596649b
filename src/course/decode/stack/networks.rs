//! Networks: the top-level definitions, and the ones a service joins (list, or map with
//! aliases), which must be declared.

use super::Declared;
use crate::course::decode::{Ctx, Fields, Schema, string};
use crate::course::diag::nearest;
use crate::course::yaml::{Node, Pos, Value};
use crate::model::{NetworkDef, ServiceNetwork};

pub(super) const SERVICE_NET: Schema = Schema {
    known: &["aliases"],
    unsupported: &[
        "ipv4_address",
        "ipv6_address",
        "link_local_ips",
        "mac_address",
        "driver_opts",
        "priority",
        "gw_priority",
        "interface_name",
    ],
};

const NETWORK: Schema = Schema {
    known: &["driver", "labels", "internal"],
    unsupported: &[
        "external",
        "name",
        "ipam",
        "driver_opts",
        "attachable",
        "enable_ipv6",
        "enable_ipv4",
    ],
};

/// A top-level network.
pub(super) fn definition(ctx: &mut Ctx, name: &str, node: &Node) -> Option<NetworkDef> {
    let f = Fields::open(ctx, node, &format!("network \"{name}\""), &NETWORK, true)?;
    Some(NetworkDef {
        name: name.to_string(),
        driver: f.str(ctx, "driver"),
        internal: f.bool(ctx, "internal").unwrap_or(false),
        labels: f.str_map(ctx, "labels"),
    })
}

/// `networks:` of a service.
pub(super) fn service_networks(
    ctx: &mut Ctx,
    node: &Node,
    what: &str,
    declared: &Declared,
) -> Vec<ServiceNetwork> {
    let mut out = Vec::new();
    let check = |ctx: &mut Ctx, name: &str, pos: Pos| {
        if name != "default" && !declared.networks.contains(name) {
            let known: Vec<&str> = declared.networks.iter().map(String::as_str).collect();
            let d = ctx.error(
                pos,
                format!(
                    "network \"{name}\" used by {what} is not declared under top-level \"networks\""
                ),
            );
            if let Some(near) = nearest(name, &known) {
                d.suggestion = Some(format!("did you mean \"{near}\"?"));
            }
        }
    };
    match &node.value {
        Value::Seq(items) => {
            for n in items {
                if let Some(name) = string(ctx, n, &format!("\"networks\" in {what}")) {
                    check(ctx, &name, n.pos);
                    out.push(ServiceNetwork {
                        name,
                        aliases: Vec::new(),
                    });
                }
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = string(ctx, k, &format!("\"networks\" in {what}")) else {
                    continue;
                };
                check(ctx, &name, k.pos);
                let aliases = match Fields::open(
                    ctx,
                    v,
                    &format!("network \"{name}\" of {what}"),
                    &SERVICE_NET,
                    true,
                ) {
                    Some(f) => f.str_list(ctx, "aliases"),
                    None => Vec::new(),
                };
                out.push(ServiceNetwork { name, aliases });
            }
        }
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a list or a map for \"networks\" in {what}, found {}",
                    node.kind_name()
                ),
            );
        }
    }
    out
}
