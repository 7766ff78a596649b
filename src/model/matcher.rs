//! Matchers: how a check compares what it saw with what the lab asks for.

use serde::Serialize;

/// A scalar a matcher compares against.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Literal {
    /// The literal as text, the way it is compared against command output.
    pub fn text(&self) -> String {
        match self {
            Literal::Null => String::new(),
            Literal::Bool(b) => b.to_string(),
            Literal::Int(i) => i.to_string(),
            // `1.0` as written, not `1`.
            Literal::Float(f) => format!("{f:?}"),
            Literal::Str(s) => s.clone(),
        }
    }
}

/// LAB_FORMAT.md §4.2 "Matchers". A plain string means `contains`; a plain number or
/// boolean means `equals`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Matcher {
    Equals(Literal),
    Contains(String),
    /// A regular expression, checked when the lab is loaded.
    Matches(String),
    Not(Box<Matcher>),
    All(Vec<Matcher>),
    Any(Vec<Matcher>),
    Lt(f64),
    Gt(f64),
}
