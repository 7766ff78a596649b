//! `tcp`: a connection to a host or service port opens (or, with `open: false`, does not).

use super::Refs;
use super::fields::service_ref;
use crate::course::decode::{Ctx, Fields, Schema, int, string};
use crate::course::yaml::{Node, Value};
use crate::model::TcpCheck;

const TCP: Schema = Schema::known(&["host", "service", "port", "from", "open"]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str, refs: &mut Refs) -> Option<TcpCheck> {
    let f = Fields::open(ctx, body, what, &TCP, false)?;
    let host = match f.get("host") {
        // `host: true` (from the student's machine) is the default; only a name is kept.
        Some(n) if matches!(n.value, Value::Bool(_)) => None,
        Some(n) => Some(string(ctx, n, &f.field("host"))?),
        None => None,
    };
    let service = service_ref(ctx, &f, "service", refs);
    let from = service_ref(ctx, &f, "from", refs);
    let port = f
        .required(ctx, "port")
        .and_then(|n| int(ctx, n, &f.field("port"), 1, 65535));
    if host.is_some() && service.is_some() {
        ctx.error(
            f.pos,
            format!("{what} names both a host and a service; give one"),
        );
    }
    Some(TcpCheck {
        host,
        service,
        port: port? as u16,
        from,
        open: f.bool(ctx, "open").unwrap_or(true),
    })
}
