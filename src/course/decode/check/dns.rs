//! `dns`: a name looked up from inside a service's network namespace.

use super::Refs;
use super::fields::{opt_matcher, service_ref};
use crate::course::decode::{Ctx, Fields, Schema};
use crate::course::yaml::Node;
use crate::model::DnsCheck;

const DNS: Schema = Schema::known(&["name", "from", "resolves", "address"]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str, refs: &mut Refs) -> Option<DnsCheck> {
    let f = Fields::open(ctx, body, what, &DNS, false)?;
    let name = f.req_str(ctx, "name");
    let from = f
        .required(ctx, "from")
        .and(service_ref(ctx, &f, "from", refs));
    let address = opt_matcher(ctx, &f, "address");
    Some(DnsCheck {
        name: name?,
        from: from?,
        resolves: f.bool(ctx, "resolves").unwrap_or(true),
        address: address?,
    })
}
