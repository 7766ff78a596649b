//! `answer` (LAB_FORMAT §4.5): a `key: value` line in a workspace answers file, and exactly
//! one expectation: `equals`, `sha256`, `matches` (an addition of `lab`) or `inspect`.

use super::Refs;
use crate::course::decode::action::fields_target;
use crate::course::decode::matcher::regex_ok;
use crate::course::decode::{Ctx, Fields, Schema, describe, string};
use crate::course::yaml::{Node, Value};
use crate::model::{AnswerCheck, AnswerExpect, AnswerInspect, InspectSource};

const ANSWER: Schema = Schema::known(&[
    "file", "key", "equals", "sha256", "matches", "inspect", "prefix",
]);
const INSPECT: Schema = Schema::known(&[
    "service",
    "replica",
    "container",
    "engine",
    "path",
    "prefix",
]);
/// What an answer must be: exactly one of these.
const EXPECTATIONS: &[&str] = &["equals", "sha256", "matches", "inspect"];

pub(super) fn decode(
    ctx: &mut Ctx,
    body: &Node,
    what: &str,
    refs: &mut Refs,
) -> Option<AnswerCheck> {
    let errors_before = ctx.diags.len();
    let f = Fields::open(ctx, body, what, &ANSWER, false)?;
    // A misspelt expectation was reported as an unknown key, with a suggestion.
    let unknown_keys = ctx.diags.len() > errors_before;
    let file = match f.get("file") {
        None => Some("answers.md".to_string()),
        Some(n) => non_empty(ctx, n, &f.field("file")),
    };
    let key = f
        .required(ctx, "key")
        .and_then(|n| answer_key(ctx, n, &f.field("key")));
    if let Some(pos) = f.key_pos("prefix") {
        let d = ctx.error(pos, format!("\"prefix\" in {what} belongs to \"inspect\""));
        d.help = Some(if f.has("inspect") {
            "move it into the inspect map: inspect: {container: NAME, path: /Id, prefix: 12}".into()
        } else {
            "a prefix is for values taken from the engine (container ids); with a fixed \
             answer, list the forms you accept under \"equals\""
                .into()
        });
    }
    let given: Vec<&str> = EXPECTATIONS.iter().copied().filter(|k| f.has(k)).collect();
    let expect = match given.as_slice() {
        [] if unknown_keys => None,
        [] => {
            ctx.error(
                f.pos,
                format!(
                    "{what} needs what the answer must be: one of equals, sha256, matches or inspect"
                ),
            );
            None
        }
        [one] => expectation(ctx, &f, one, refs),
        [first, second, ..] => {
            let pos = f.key_pos(second).unwrap_or(f.pos);
            ctx.error(
                pos,
                format!("{what} gives both \"{first}\" and \"{second}\"; give exactly one"),
            );
            None
        }
    };
    if f.has("prefix") {
        return None;
    }
    Some(AnswerCheck {
        file: file?,
        key: key?,
        expect: expect?,
    })
}

fn expectation(ctx: &mut Ctx, f: &Fields, which: &str, refs: &mut Refs) -> Option<AnswerExpect> {
    let node = f.get(which)?;
    let what = f.field(which);
    match which {
        "equals" => values(ctx, node, &what).map(AnswerExpect::Equals),
        "sha256" => {
            let digests = values(ctx, node, &what)?;
            let items: Vec<&Node> = match &node.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![node],
            };
            let mut ok = true;
            for (d, n) in digests.iter().zip(items) {
                if d.len() != 64 || !d.chars().all(|c| c.is_ascii_hexdigit()) {
                    ctx.error(
                        n.pos,
                        format!("{what} must be 64 hex digits, found {}", describe(n)),
                    )
                    .help = Some(
                        "the digest is of the answer trimmed and lowercased, e.g. \
                         `printf %s copper-kettle | sha256sum`"
                            .into(),
                    );
                    ok = false;
                }
            }
            ok.then(|| AnswerExpect::Sha256(digests.iter().map(|d| d.to_lowercase()).collect()))
        }
        "matches" => {
            let re = string(ctx, node, &what)?;
            regex_ok(ctx, &re, node.pos)?;
            Some(AnswerExpect::Matches(re))
        }
        _ => inspect(ctx, node, &what, refs).map(AnswerExpect::Inspect),
    }
}

/// `inspect: {service | container | engine: true, path, prefix}`.
fn inspect(ctx: &mut Ctx, node: &Node, what: &str, refs: &mut Refs) -> Option<AnswerInspect> {
    let f = Fields::open(ctx, node, what, &INSPECT, false)?;
    let engine = f.bool(ctx, "engine");
    if f.has("engine") && engine.is_none() {
        return None;
    }
    let named = f.has("service") || f.has("container");
    let source = match (engine.unwrap_or(false), named) {
        (true, true) => {
            let pos = f.key_pos("engine").unwrap_or(f.pos);
            ctx.error(
                pos,
                format!("{what} names the engine and a container; give one"),
            );
            None
        }
        (true, false) => Some(InspectSource::Engine),
        (false, true) => fields_target(ctx, &f, refs).map(InspectSource::Container),
        (false, false) => {
            ctx.error(
                f.pos,
                format!(
                    "{what} needs where to look: \"service\" (a stack service), \"container\" \
                     (a container by name) or \"engine: true\" (the engine's own info)"
                ),
            );
            None
        }
    };
    let path = f.required(ctx, "path").and_then(|n| {
        let p = string(ctx, n, &f.field("path"))?;
        if !p.starts_with('/') {
            ctx.error(
                n.pos,
                format!(
                    "{} is a JSON pointer and starts with /, e.g. /Id or /NetworkSettings/Networks/*/IPAddress",
                    f.field("path")
                ),
            );
            return None;
        }
        Some(p)
    });
    let prefix = f.int(ctx, "prefix", 1, 4096).map(|n| n as u32);
    if f.has("prefix") && prefix.is_none() {
        return None;
    }
    Some(AnswerInspect {
        source: source?,
        path: path?,
        prefix,
    })
}

/// A scalar or a list of scalars: the accepted values.
fn values(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Vec<String>> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    if items.is_empty() {
        ctx.error(node.pos, format!("{what} needs at least one value"));
        return None;
    }
    let out: Vec<String> = items
        .iter()
        .filter_map(|n| non_empty(ctx, n, what))
        .collect();
    (out.len() == items.len()).then_some(out)
}

fn non_empty(ctx: &mut Ctx, node: &Node, what: &str) -> Option<String> {
    let s = string(ctx, node, what)?;
    if s.trim().is_empty() {
        ctx.error(node.pos, format!("{what} is empty"));
        return None;
    }
    Some(s)
}

/// The key as the student writes it before the colon.
fn answer_key(ctx: &mut Ctx, node: &Node, what: &str) -> Option<String> {
    let key = non_empty(ctx, node, what)?;
    if key.contains([':', '\n']) {
        ctx.error(
            node.pos,
            format!(
                "{what} cannot hold a colon or a line break (students write \"key: value\" on one line)"
            ),
        );
        return None;
    }
    Some(key.trim().to_string())
}
