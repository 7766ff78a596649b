//! Matchers (LAB_FORMAT.md §4.2): a plain string means "contains", a plain number or
//! boolean means "equals", a one-key map names the comparison.

use super::{Ctx, describe, float, string};
use crate::course::yaml::{Node, Pos, Value};
use crate::model::{Literal, Matcher};

const KINDS: &[&str] = &[
    "equals", "contains", "matches", "not", "all", "any", "lt", "gt",
];

pub fn decode(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Matcher> {
    match &node.value {
        Value::Str(s) => Some(Matcher::Contains(s.clone())),
        Value::Int(i) => Some(Matcher::Equals(Literal::Int(*i))),
        Value::Float(f) => Some(Matcher::Equals(Literal::Float(*f))),
        Value::Bool(b) => Some(Matcher::Equals(Literal::Bool(*b))),
        Value::Null => {
            ctx.error(node.pos, format!("{what} needs a matcher, found nothing"));
            None
        }
        // A list: every item must match (a common shorthand for several `contains`).
        Value::Seq(items) => {
            let all: Vec<Matcher> = items.iter().filter_map(|n| decode(ctx, n, what)).collect();
            (all.len() == items.len()).then_some(Matcher::All(all))
        }
        Value::Map(entries) => {
            if entries.len() != 1 {
                ctx.error(
                    node.pos,
                    format!(
                        "a matcher for {what} has exactly one key ({}), found {}",
                        KINDS.join(", "),
                        entries.len()
                    ),
                );
                return None;
            }
            let (k, v) = &entries[0];
            let key = k.scalar_text().unwrap_or_default();
            match key.as_str() {
                "equals" => literal(ctx, v, what).map(Matcher::Equals),
                "contains" => string(ctx, v, what).map(Matcher::Contains),
                "matches" => {
                    let re = string(ctx, v, what)?;
                    regex_ok(ctx, &re, v.pos)?;
                    Some(Matcher::Matches(re))
                }
                "not" => decode(ctx, v, what).map(|m| Matcher::Not(Box::new(m))),
                "all" | "any" => {
                    let Some(items) = v.as_seq() else {
                        ctx.error(
                            v.pos,
                            format!(
                                "\"{key}\" takes a list of matchers, found {}",
                                v.kind_name()
                            ),
                        );
                        return None;
                    };
                    let ms: Vec<Matcher> =
                        items.iter().filter_map(|n| decode(ctx, n, what)).collect();
                    if ms.len() != items.len() {
                        return None;
                    }
                    Some(if key == "all" {
                        Matcher::All(ms)
                    } else {
                        Matcher::Any(ms)
                    })
                }
                "lt" => float(ctx, v, what).map(Matcher::Lt),
                "gt" => float(ctx, v, what).map(Matcher::Gt),
                other => {
                    let d = ctx.error(k.pos, format!("unknown matcher \"{other}\" for {what}"));
                    match super::nearest(other, KINDS) {
                        Some(near) => d.suggestion = Some(format!("did you mean \"{near}\"?")),
                        None => d.help = Some(format!("matchers: {}", KINDS.join(", "))),
                    }
                    None
                }
            }
        }
    }
}

fn literal(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Literal> {
    Some(match &node.value {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Int(i) => Literal::Int(*i),
        Value::Float(f) => Literal::Float(*f),
        Value::Str(s) => Literal::Str(s.clone()),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "\"equals\" for {what} takes a single value, found {}",
                    describe(node)
                ),
            );
            return None;
        }
    })
}

/// Compile once at load time so a bad pattern is the author's error, not the student's.
pub fn regex_ok(ctx: &mut Ctx, pattern: &str, pos: Pos) -> Option<()> {
    match regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
    {
        Ok(_) => Some(()),
        Err(e) => {
            let text = e.to_string();
            let reason = text
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .unwrap_or(text.lines().last().unwrap_or("invalid"))
                .to_string();
            ctx.error(
                pos,
                format!("invalid regular expression \"{pattern}\": {reason}"),
            );
            None
        }
    }
}
