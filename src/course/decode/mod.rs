//! From YAML nodes to the typed model, reporting every mistake at its node.
//!
//! Decoders never stop at the first problem: each reports what it finds to the [`Ctx`] and
//! returns `None` for the part it could not build, so one run of `lab lint` lists all the
//! mistakes of a file.

pub mod action;
pub mod check;
pub mod front_matter;
pub mod matcher;
pub mod stack;

use std::path::Path;

use super::diag::{Diagnostic, nearest};
use super::yaml::{Node, Pos, Value};
use crate::model::{ByteSize, Dur};

/// Where decoded mistakes go.
pub struct Ctx<'a> {
    /// The file as shown in messages.
    pub file: &'a Path,
    /// The lab's folder on disk: bind mounts and build contexts are resolved against it.
    pub lab_dir: &'a Path,
    /// `--allow-unsafe`: the safety policy is lifted.
    pub allow_unsafe: bool,
    pub diags: Vec<Diagnostic>,
    /// The time one attempt of the check being decoded gets (its `timeout`, else the
    /// lab's): a wait inside it that is longer is cut, which lint says.
    pub check_timeout: std::time::Duration,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a Path, lab_dir: &'a Path, allow_unsafe: bool) -> Self {
        Ctx {
            file,
            lab_dir,
            allow_unsafe,
            diags: Vec::new(),
            check_timeout: crate::model::DEFAULT_CHECK_TIMEOUT,
        }
    }

    /// A policy violation: an error unless the user lifted the policy.
    pub fn unsafe_option(&mut self, pos: Pos, message: impl Into<String>) {
        if !self.allow_unsafe {
            self.error(pos, message).help = Some(
                "labs run on students' machines, so lab refuses this by default; \
                 pass --allow-unsafe if you trust this lab"
                    .into(),
            );
        }
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::at(self.file, pos, message))
    }

    pub fn warning(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Diagnostic::at(self.file, pos, message).warning())
    }

    fn push(&mut self, d: Diagnostic) -> &mut Diagnostic {
        self.diags.push(d);
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// The keys of one YAML map, checked against the keys that may appear there.
pub struct Fields<'n> {
    pub pos: Pos,
    pub what: String,
    entries: Vec<(String, &'n Node, &'n Node)>,
}

/// What a map may hold: keys we implement, and Compose keys we know but refuse.
pub struct Schema<'s> {
    pub known: &'s [&'s str],
    pub unsupported: &'s [&'s str],
}

impl<'s> Schema<'s> {
    pub const fn known(known: &'s [&'s str]) -> Self {
        Schema {
            known,
            unsupported: &[],
        }
    }
}

impl<'n> Fields<'n> {
    /// Open `node` as a map described by `schema`. Reports a non-map, unknown and
    /// unsupported keys, and non-string keys. `x-` keys are allowed and ignored, as in
    /// Compose, where `allow_extensions` is set.
    pub fn open(
        ctx: &mut Ctx,
        node: &'n Node,
        what: &str,
        schema: &Schema,
        allow_extensions: bool,
    ) -> Option<Fields<'n>> {
        let (fields, unknown) = Self::open_collect(ctx, node, what, schema, allow_extensions)?;
        for (key, k) in unknown {
            unknown_key(ctx, k.pos, &key, what, schema.known);
        }
        Some(fields)
    }

    /// As [`Fields::open`], but unknown keys are handed back for the caller to explain
    /// (a key that belongs one level down, a word that is not a check kind).
    pub fn open_collect(
        ctx: &mut Ctx,
        node: &'n Node,
        what: &str,
        schema: &Schema,
        allow_extensions: bool,
    ) -> Option<(Fields<'n>, Vec<(String, &'n Node)>)> {
        let mut unknown = Vec::new();
        let Some(map) = node.as_map() else {
            if node.is_null() {
                let empty = Fields {
                    pos: node.pos,
                    what: what.to_string(),
                    entries: Vec::new(),
                };
                return Some((empty, unknown));
            }
            ctx.error(
                node.pos,
                format!("expected a map for {what}, found {}", node.kind_name()),
            );
            return None;
        };
        let mut entries = Vec::new();
        for (k, v) in map {
            let Some(key) = k.scalar_text() else {
                ctx.error(
                    k.pos,
                    format!(
                        "a key in {what} must be a plain word, found {}",
                        k.kind_name()
                    ),
                );
                continue;
            };
            if allow_extensions && key.starts_with("x-") {
                continue;
            }
            if schema.known.contains(&key.as_str()) {
                // Reported where the block is parsed (`report_duplicates`); the first wins.
                if entries.iter().any(|(e, _, _): &(String, _, _)| *e == key) {
                    continue;
                }
                entries.push((key, k, v));
            } else if schema.unsupported.contains(&key.as_str()) {
                ctx.error(
                    k.pos,
                    format!("\"{key}\" in {what} is not supported by lab v1"),
                )
                .help = Some(format!(
                    "lab supports the subset of Compose listed in {STACK_DOC}; remove the key or \
                     prefix it with x- to keep it for other tools"
                ));
            } else {
                unknown.push((key, k));
            }
        }
        let fields = Fields {
            pos: node.pos,
            what: what.to_string(),
            entries,
        };
        Some((fields, unknown))
    }

    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| *v)
    }

    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, k, _)| k.pos)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Keys present, in the order written.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &'n Node, &'n Node)> {
        self.entries.iter().map(|(k, kn, v)| (k.as_str(), *kn, *v))
    }

    pub fn required(&self, ctx: &mut Ctx, key: &str) -> Option<&'n Node> {
        let got = self.get(key);
        if got.is_none() {
            ctx.error(
                self.pos,
                format!("missing required field \"{key}\" in {}", self.what),
            );
        }
        got
    }

    pub fn str(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        self.get(key).and_then(|n| string(ctx, n, &self.field(key)))
    }

    pub fn req_str(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        self.required(ctx, key)
            .and_then(|n| string(ctx, n, &self.field(key)))
    }

    pub fn bool(&self, ctx: &mut Ctx, key: &str) -> Option<bool> {
        self.get(key)
            .and_then(|n| boolean(ctx, n, &self.field(key)))
    }

    pub fn int(&self, ctx: &mut Ctx, key: &str, min: i64, max: i64) -> Option<i64> {
        self.get(key)
            .and_then(|n| int(ctx, n, &self.field(key), min, max))
    }

    pub fn float(&self, ctx: &mut Ctx, key: &str) -> Option<f64> {
        self.get(key).and_then(|n| float(ctx, n, &self.field(key)))
    }

    pub fn dur(&self, ctx: &mut Ctx, key: &str) -> Option<Dur> {
        self.get(key)
            .and_then(|n| duration(ctx, n, &self.field(key)))
    }

    pub fn size(&self, ctx: &mut Ctx, key: &str) -> Option<ByteSize> {
        self.get(key).and_then(|n| size(ctx, n, &self.field(key)))
    }

    pub fn str_list(&self, ctx: &mut Ctx, key: &str) -> Vec<String> {
        self.get(key)
            .map(|n| string_list(ctx, n, &self.field(key)))
            .unwrap_or_default()
    }

    pub fn str_map(&self, ctx: &mut Ctx, key: &str) -> Vec<(String, String)> {
        self.get(key)
            .map(|n| string_map(ctx, n, &self.field(key)))
            .unwrap_or_default()
    }

    /// `"key" in <what>`, for messages about one field.
    pub fn field(&self, key: &str) -> String {
        format!("\"{key}\" in {}", self.what)
    }
}

/// Where authors read about the stack block (the book's chapter and section).
pub const STACK_DOC: &str = "book/src/author/lab-format.md (section \"The stack\")";

/// Lists longer than this are not worth reading in a message; the book has them.
const SHORT_LIST: usize = 8;

/// An unknown key: the nearest known one when it is close, else the known keys when they
/// are few.
pub fn unknown_key(ctx: &mut Ctx, pos: Pos, key: &str, what: &str, known: &[&str]) {
    let d = ctx.error(pos, format!("unknown key \"{key}\" in {what}"));
    if let Some(near) = nearest(key, known) {
        d.suggestion = Some(format!("did you mean \"{near}\"?"));
    } else if known.len() <= SHORT_LIST {
        d.help = Some(format!("known keys: {}", known.join(", ")));
    } else {
        // Checks and actions have a chapter of their own.
        let doc = if what.contains("check") || what.contains("action") {
            "book/src/author/checks.md"
        } else {
            "book/src/author/lab-format.md"
        };
        d.help = Some(format!("{doc} lists the keys it may hold"));
    }
}

/// A scalar as text. Numbers and booleans are accepted where Compose accepts them as text
/// (e.g. `DEBUG: 1`).
pub fn string(ctx: &mut Ctx, node: &Node, what: &str) -> Option<String> {
    match node.scalar_text() {
        Some(s) => Some(s),
        None => {
            ctx.error(
                node.pos,
                format!("expected a string for {what}, found {}", node.kind_name()),
            );
            None
        }
    }
}

pub fn boolean(ctx: &mut Ctx, node: &Node, what: &str) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::Str(s) if s == "true" || s == "false" => Some(s == "true"),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected true or false for {what}, found {}",
                    node.kind_name()
                ),
            );
            None
        }
    }
}

pub fn int(ctx: &mut Ctx, node: &Node, what: &str, min: i64, max: i64) -> Option<i64> {
    let v = match &node.value {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match v {
        Some(i) if (min..=max).contains(&i) => Some(i),
        Some(i) => {
            ctx.error(
                node.pos,
                format!("{what} must be between {min} and {max}, found {i}"),
            );
            None
        }
        None => {
            ctx.error(
                node.pos,
                format!(
                    "expected a whole number for {what}, found {}",
                    describe(node)
                ),
            );
            None
        }
    }
}

pub fn float(ctx: &mut Ctx, node: &Node, what: &str) -> Option<f64> {
    let v = match &node.value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match v {
        Some(f) if f.is_finite() => Some(f),
        _ => {
            ctx.error(
                node.pos,
                format!("expected a number for {what}, found {}", describe(node)),
            );
            None
        }
    }
}

pub fn duration(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Dur> {
    let text = match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a duration for {what} (e.g. 10s, 1m30s), found {}",
                    node.kind_name()
                ),
            );
            return None;
        }
    };
    match Dur::parse(&text) {
        Ok(d) => Some(d),
        Err(e) => {
            ctx.error(node.pos, format!("bad duration for {what}: {e}"));
            None
        }
    }
}

pub fn size(ctx: &mut Ctx, node: &Node, what: &str) -> Option<ByteSize> {
    let Some(text) = node.scalar_text() else {
        ctx.error(
            node.pos,
            format!(
                "expected a size for {what} (e.g. 512m), found {}",
                node.kind_name()
            ),
        );
        return None;
    };
    match ByteSize::parse(&text) {
        Ok(s) => Some(s),
        Err(e) => {
            ctx.error(node.pos, format!("bad size for {what}: {e}"));
            None
        }
    }
}

pub fn string_list(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<String> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|n| string(ctx, n, what)).collect(),
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

/// A map of strings, or (as Compose allows for environment, labels, args) a list of
/// `KEY=VALUE` strings.
pub fn string_map(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<(String, String)> {
    optional_string_map(ctx, node, what)
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect()
}

/// As [`string_map`], keeping "no value" (`KEY` alone, `KEY:` with null) apart.
pub fn optional_string_map(
    ctx: &mut Ctx,
    node: &Node,
    what: &str,
) -> Vec<(String, Option<String>)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| {
                let key = string(ctx, k, what)?;
                if v.is_null() {
                    return Some((key, None));
                }
                let val = string(ctx, v, &format!("\"{key}\" in {what}"))?;
                Some((key, Some(val)))
            })
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|n| {
                let s = string(ctx, n, what)?;
                Some(match s.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (s, None),
                })
            })
            .collect(),
        Value::Null => Vec::new(),
        _ => {
            ctx.error(
                node.pos,
                format!("expected a map for {what}, found {}", node.kind_name()),
            );
            Vec::new()
        }
    }
}

/// A value for messages: its text when short, else its kind.
pub fn describe(node: &Node) -> String {
    match node.scalar_text() {
        Some(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        _ => node.kind_name().to_string(),
    }
}

/// Lab ids, check ids: `kebab-case` (lowercase letters, digits and single dashes).
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}
