//! `yaml check` blocks: the common fields here, and exactly one kind, each decoded in its
//! own file. The kinds are [`KindTag`]'s; [`decode_kind`] matches on it exhaustively, so a
//! new kind makes the compiler point here.

mod answer;
mod command;
mod container;
mod dns;
mod dockerfile;
mod exec;
mod expect;
mod fields;
mod file;
mod http;
mod logs;
mod objects;
mod tcp;
mod unknown;

use std::str::FromStr;

use super::action::{Refs, decode_list};
use super::{Ctx, Fields, Schema, is_kebab, string};
use crate::course::yaml::{Node, Pos, Value};
use crate::model::{Check, CheckKind, KindTag};

const COMMON: &[&str] = &[
    "id",
    "title",
    "points",
    "hint",
    "timeout",
    "eventually",
    "starts_passing",
    "before",
    "after",
    "needs",
];

/// The checks a check `needs`, each with where it was written (checked by the lab: the
/// ids exist, and no chain of needs comes back to where it started).
pub type Needs = Vec<(String, Pos)>;

/// Decode one check block. `refs` collects the services it names (checked by the lab).
pub fn decode(
    ctx: &mut Ctx,
    node: &Node,
    task: Option<usize>,
    line: u32,
    refs: &mut Refs,
    needs: &mut Needs,
) -> Option<Check> {
    let mut all_keys: Vec<&str> = COMMON.to_vec();
    all_keys.extend(KindTag::all().map(KindTag::name));
    let schema = Schema::known(&all_keys);
    let errors_before = ctx.diags.len();
    let (f, unknown) = Fields::open_collect(ctx, node, "the check", &schema, false)?;
    for (key, k) in &unknown {
        let v = node
            .as_map()
            .and_then(|m| m.iter().find(|(mk, _)| std::ptr::eq(mk, *k)))
            .map(|(_, v)| v)
            .unwrap_or(k);
        unknown::report(ctx, key, k, v, COMMON);
    }
    let unknown_keys = ctx.diags.len() > errors_before;
    let what_id = f.get("id").and_then(|n| n.scalar_text());
    let what = match &what_id {
        Some(id) => format!("check \"{id}\""),
        None => "the check".to_string(),
    };
    let f = Fields {
        what: what.clone(),
        ..f
    };

    let id = f.required(ctx, "id").and_then(|n| {
        let id = string(ctx, n, "\"id\" of a check")?;
        if !is_kebab(&id) {
            ctx.error(n.pos, format!("check id \"{id}\" must be kebab-case (lowercase letters, digits and dashes, e.g. web-healthy)"));
        }
        Some(id)
    });
    let title = f.req_str(ctx, "title");
    let points = f.int(ctx, "points", 0, 1000).map(|p| p as u32).unwrap_or(1);
    let hint = f.str(ctx, "hint");
    let timeout = f.dur(ctx, "timeout");
    if timeout.is_some_and(|t| t.0.is_zero())
        && let Some(p) = f.get("timeout").map(|n| n.pos)
    {
        ctx.error(p, format!("\"timeout\" in {what} must be longer than zero"));
    }
    let eventually = f.dur(ctx, "eventually");
    let starts_passing = f.bool(ctx, "starts_passing").unwrap_or(false);
    let before = f
        .get("before")
        .map(|n| decode_list(ctx, n, refs))
        .unwrap_or_default();
    let after = f
        .get("after")
        .map(|n| super::action::decode_after(ctx, n, refs))
        .unwrap_or_default();
    *needs = f
        .get("needs")
        .map(|n| need_list(ctx, n))
        .unwrap_or_default();

    let kinds: Vec<(KindTag, &Node, &Node)> = f
        .keys()
        .filter_map(|(k, key, body)| Some((KindTag::from_str(k).ok()?, key, body)))
        .collect();
    let kind = match kinds.as_slice() {
        [] => {
            // A misspelt kind was already reported as an unknown key, with a suggestion.
            if !unknown_keys {
                ctx.error(
                    f.pos,
                    format!(
                        "{what} has no kind; give exactly one of {}",
                        KindTag::all()
                            .map(KindTag::name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            None
        }
        [(tag, _, body)] => {
            let lab_timeout = ctx.check_timeout;
            ctx.check_timeout = timeout.map(|t| t.0).unwrap_or(lab_timeout);
            let kind = decode_kind(ctx, *tag, body, &what, refs);
            ctx.check_timeout = lab_timeout;
            kind
        }
        [_, (second, key, _), ..] => {
            let names: Vec<&str> = kinds.iter().map(|(k, _, _)| k.name()).collect();
            ctx.error(
                key.pos,
                format!(
                    "{what} has {} kinds ({}); a check has exactly one",
                    names.len(),
                    names.join(", ")
                ),
            )
            .help = Some(format!(
                "split it into one check per kind; \"{second}\" could be its own check"
            ));
            None
        }
    };
    Some(Check {
        id: id?,
        title: title?,
        points,
        hint,
        timeout,
        eventually,
        starts_passing,
        before,
        after,
        needs: needs.iter().map(|(id, _)| id.clone()).collect(),
        kind: kind?,
        task,
        line,
    })
}

/// `needs: [id, …]` (a single id is taken as a list of one).
fn need_list(ctx: &mut Ctx, node: &Node) -> Needs {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        _ => vec![node],
    };
    items
        .into_iter()
        .filter_map(|n| {
            let id = string(ctx, n, "an entry of \"needs\"")?;
            Some((id, n.pos))
        })
        .collect()
}

/// Decode the body of the one kind a check names.
fn decode_kind(
    ctx: &mut Ctx,
    tag: KindTag,
    body: &Node,
    check: &str,
    refs: &mut Refs,
) -> Option<CheckKind> {
    let what = format!("\"{}\" of {check}", tag.name());
    let what = what.as_str();
    match tag {
        KindTag::Exec => exec::decode(ctx, body, what, refs).map(CheckKind::Exec),
        KindTag::Expect => expect::decode(ctx, body, what, refs).map(CheckKind::Expect),
        KindTag::Http => http::decode(ctx, body, what, refs).map(CheckKind::Http),
        KindTag::Tcp => tcp::decode(ctx, body, what, refs).map(CheckKind::Tcp),
        KindTag::Dns => dns::decode(ctx, body, what, refs).map(CheckKind::Dns),
        KindTag::Container => {
            container::decode(ctx, body, what, refs).map(|c| CheckKind::Container(Box::new(c)))
        }
        KindTag::Network => objects::network(ctx, body, what).map(CheckKind::Network),
        KindTag::Volume => objects::volume(ctx, body, what).map(CheckKind::Volume),
        KindTag::Image => objects::image(ctx, body, what).map(CheckKind::Image),
        KindTag::Logs => logs::decode(ctx, body, what, refs).map(CheckKind::Logs),
        KindTag::File => file::decode(ctx, body, what, refs).map(CheckKind::File),
        KindTag::Command => command::decode(ctx, body, what).map(CheckKind::Command),
        KindTag::Answer => answer::decode(ctx, body, what, refs).map(CheckKind::Answer),
        KindTag::Dockerfile => dockerfile::decode(ctx, body, what).map(CheckKind::Dockerfile),
    }
}
