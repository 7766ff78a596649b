//! A YAML document as a tree of nodes that each know where they stand in the file.
//!
//! serde-saphyr parses (with its budget: alias bombs, deep nesting and event storms are
//! refused by the parser itself); we keep the untyped tree so that the decoder can report
//! every mistake of a block at once, each at its own node, instead of stopping at the first
//! serde error.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A position in a source file: 1-based line and column, and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One YAML node and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// The untyped value of a node. Maps keep their order (and duplicate keys, which the
/// decoder reports).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What kind of value this is, for messages ("expected a map, found a list").
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// The node as text when it is a scalar: numbers and booleans as written in YAML.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(format_float(*f)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Shift every position by a block's place in its file: `line_offset` lines down, and
    /// `col_offset` columns right (fenced blocks may be indented, e.g. inside a list).
    pub fn shift(&mut self, line_offset: u32, col_offset: u32) {
        self.pos.line = self.pos.line.saturating_add(line_offset);
        self.pos.col = self.pos.col.saturating_add(col_offset);
        match &mut self.value {
            Value::Seq(items) => items
                .iter_mut()
                .for_each(|n| n.shift(line_offset, col_offset)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.shift(line_offset, col_offset);
                v.shift(line_offset, col_offset);
            }),
            _ => {}
        }
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// A YAML syntax error (or a budget refusal) with its position when the parser knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// In plain words (see [`super::syntax`]).
    pub message: String,
    pub pos: Option<Pos>,
    /// How to fix it, when there is more to say than the message.
    pub help: Option<String>,
}

/// Limits on what one YAML block may cost; generous for real labs, tight for bombs.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 400_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_depth: 48,
            max_nodes: 200_000,
            max_documents: 1,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 20_000,
            max_replay_stack_depth: 16,
        },
        with_snippet: false,
        // Duplicates reach the tree, where they are reported with both places.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    }
}

/// Parse one YAML document. An empty document is `Null` at 1:1.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            pos: Pos { line: 1, col: 1 },
        });
    }
    let spanned: Spanned<Value> =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
            let pos = e.location().and_then(|l| to_pos(&l));
            let explained = super::syntax::explain(&clean_message(&e.to_string()), pos, text);
            SyntaxError {
                message: explained.message,
                pos: explained.pos,
                help: explained.help,
            }
        })?;
    Ok(into_node(spanned))
}

/// serde-saphyr's messages may carry their own "at line X column Y" suffix; we print the
/// position ourselves.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let cut = first
        .find(" at line ")
        .map(|i| &first[..i])
        .unwrap_or(first);
    cut.trim_end_matches(['.', ',']).to_string()
}

fn to_pos(loc: &serde_saphyr::Location) -> Option<Pos> {
    if loc.line() == 0 {
        return None;
    }
    Some(Pos {
        line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
        col: u32::try_from(loc.column()).unwrap_or(u32::MAX),
    })
}

/// A node at the place it is written: for a value merged (`<<: *common`) or aliased
/// (`*common`), that is the anchor's definition, where a mistake in it must be fixed.
fn into_node(s: Spanned<Value>) -> Node {
    Node {
        value: s.value,
        pos: to_pos(&s.defined)
            .or_else(|| to_pos(&s.referenced))
            .unwrap_or_default(),
    }
}

/// A key written twice in one map: the key, where it first stands, and where it repeats.
pub type Duplicate = (String, Pos, Pos);

/// Every key repeated within one map, anywhere in the tree.
pub fn duplicates(node: &Node) -> Vec<Duplicate> {
    let mut out = Vec::new();
    collect_duplicates(node, &mut out);
    out
}

fn collect_duplicates(node: &Node, out: &mut Vec<Duplicate>) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| collect_duplicates(n, out)),
        Value::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if let Some(key) = k.scalar_text()
                    && let Some((first, _)) = entries[..i]
                        .iter()
                        .find(|(e, _)| e.scalar_text().as_deref() == Some(key.as_str()))
                    // The same place twice is one anchor merged twice, not a repeat.
                    && first.pos != k.pos
                {
                    out.push((key, first.pos, k.pos));
                }
                collect_duplicates(v, out);
            }
        }
        _ => {}
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(into_node(item));
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Value>>()? {
            let value = map.next_value::<Spanned<Value>>()?;
            entries.push((into_node(key), into_node(value)));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_values() {
        let n = parse("a: 1\nb:\n  c: [x, \"8080\"]\n").expect("parses");
        let m = n.as_map().expect("map");
        assert_eq!(m[0].0.pos, Pos { line: 1, col: 1 });
        assert_eq!((m[0].1.pos.line, m[0].1.pos.col), (1, 4));
        let inner = m[1].1.as_map().expect("inner map");
        assert_eq!((inner[0].0.pos.line, inner[0].0.pos.col), (3, 3));
        let seq = inner[0].1.as_seq().expect("seq");
        assert_eq!((seq[1].pos.line, seq[1].pos.col), (3, 10));
        assert_eq!(seq[1].value, Value::Str("8080".into()));
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n").expect_err("bad yaml");
        assert!(e.pos.is_some(), "{e:?}");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        assert!(parse(&s).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        assert!(parse(&s).is_err());
        let mut block = String::new();
        for i in 0..500 {
            block.push_str(&" ".repeat(i));
            block.push_str("a:\n");
        }
        assert!(parse(&block).is_err());
    }
}
