//! Keys written one level too high: `interval:` at the service level instead of under
//! `healthcheck:`. A list of a service's forty keys does not help there; saying where the
//! key belongs does.

use super::build::BUILD;
use super::depends::DEPENDS;
use super::healthcheck::HEALTH;
use super::networks::SERVICE_NET;
use crate::course::decode::{Ctx, Fields, Schema, unknown_key};
use crate::course::yaml::Node;

/// The blocks nested in a service, and the keys each holds.
fn homes() -> [(&'static str, &'static [&'static str]); 5] {
    [
        ("healthcheck", HEALTH.known),
        ("build", BUILD.known),
        ("logging", &["driver", "options"]),
        ("depends_on", DEPENDS.known),
        ("networks", SERVICE_NET.known),
    ]
}

/// Open a service's map; an unknown key that is a field of one of its nested blocks is
/// reported as belonging there (one message per block), any other as unknown.
pub(super) fn open_service<'n>(
    ctx: &mut Ctx,
    node: &'n Node,
    what: &str,
    schema: &Schema,
) -> Option<Fields<'n>> {
    let (f, unknown) = Fields::open_collect(ctx, node, what, schema, true)?;
    let mut astray: Vec<(&str, Vec<(String, &Node)>)> = Vec::new();
    for (key, k) in unknown {
        let home = homes()
            .into_iter()
            .find(|(_, keys)| keys.contains(&key.as_str()))
            .map(|(h, _)| h);
        match home {
            Some(h) => match astray.iter_mut().find(|(p, _)| *p == h) {
                Some((_, keys)) => keys.push((key, k)),
                None => astray.push((h, vec![(key, k)])),
            },
            None => unknown_key(ctx, k.pos, &key, what, schema.known),
        }
    }
    for (home, keys) in astray {
        let names: Vec<String> = keys.iter().map(|(k, _)| format!("\"{k}\"")).collect();
        let (verb, it) = if names.len() == 1 {
            ("belongs", "it")
        } else {
            ("belong", "them")
        };
        let how = if f.has(home) {
            format!("indent {it} under that key")
        } else {
            format!("add \"{home}:\" to {what} and indent {it} under it")
        };
        let d = ctx.error(
            keys[0].1.pos,
            format!("{} {verb} under \"{home}:\"", and_list(&names)),
        );
        d.suggestion = Some(how);
    }
    Some(f)
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
