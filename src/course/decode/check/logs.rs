//! `logs`: a container's output holds (or matches) some text.

use super::Refs;
use super::fields::text_matcher;
use crate::course::decode::action::fields_target;
use crate::course::decode::{Ctx, Fields, Schema};
use crate::course::yaml::Node;
use crate::model::{LogStream, LogsCheck};

const LOGS: Schema = Schema::known(&[
    "service",
    "replica",
    "container",
    "contains",
    "matches",
    "equals",
    "stream",
    "tail",
]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str, refs: &mut Refs) -> Option<LogsCheck> {
    let f = Fields::open(ctx, body, what, &LOGS, false)?;
    let target = fields_target(ctx, &f, refs);
    let matcher = text_matcher(ctx, &f, true);
    let stream = match f.str(ctx, "stream").as_deref() {
        None | Some("both") => LogStream::Both,
        Some("stdout") => LogStream::Stdout,
        Some("stderr") => LogStream::Stderr,
        Some(other) => {
            let p = f.get("stream").map(|n| n.pos).unwrap_or(f.pos);
            ctx.error(
                p,
                format!("unknown stream \"{other}\" in {what} (use stdout, stderr or both)"),
            );
            return None;
        }
    };
    let tail = f.int(ctx, "tail", 1, 1_000_000).map(|t| t as u32);
    Some(LogsCheck {
        target: target?,
        matcher: matcher??,
        stream,
        tail,
    })
}
