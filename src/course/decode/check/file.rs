//! `file`: a file in the workspace or in a container; existence, content and mode.

use super::Refs;
use super::fields::opt_matcher;
use crate::course::decode::action::fields_target;
use crate::course::decode::matcher::regex_ok;
use crate::course::decode::{Ctx, Fields, Schema, describe, string};
use crate::course::yaml::Node;
use crate::model::FileCheck;

const FILE: Schema = Schema::known(&[
    "path",
    "service",
    "replica",
    "container",
    "exists",
    "contains",
    "matches",
    "mode",
]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str, refs: &mut Refs) -> Option<FileCheck> {
    let f = Fields::open(ctx, body, what, &FILE, false)?;
    let target = if f.has("service") || f.has("container") {
        Some(fields_target(ctx, &f, refs)?)
    } else {
        None
    };
    let contains = opt_matcher(ctx, &f, "contains");
    let matches = f.get("matches").and_then(|n| {
        let re = string(ctx, n, &f.field("matches"))?;
        regex_ok(ctx, &re, n.pos)?;
        Some(re)
    });
    if f.has("matches") && matches.is_none() {
        return None;
    }
    let mode = f
        .get("mode")
        .and_then(|n| file_mode(ctx, n, &f.field("mode")));
    if f.has("mode") && mode.is_none() {
        return None;
    }
    Some(FileCheck {
        target,
        path: f.req_str(ctx, "path")?,
        exists: f.bool(ctx, "exists").unwrap_or(true),
        contains: contains?,
        matches,
        mode,
    })
}

/// Permission bits written in octal (`"0644"`, `0o755`).
fn file_mode(ctx: &mut Ctx, node: &Node, what: &str) -> Option<u32> {
    let text = node.scalar_text().unwrap_or_default();
    let digits = text.trim_start_matches("0o");
    match u32::from_str_radix(digits, 8) {
        Ok(m) if m <= 0o7777 && !digits.is_empty() => Some(m),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "bad file mode {} for {what} (write octal digits, e.g. \"0644\")",
                    describe(node)
                ),
            );
            None
        }
    }
}
