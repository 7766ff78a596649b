//! Evaluating matchers against what a check saw.

use regex::Regex;

use crate::model::{Literal, Matcher};

/// Whether `text` satisfies `m`. Numbers compare the trimmed text as a number; `equals`
/// compares the trimmed text.
pub fn text(m: &Matcher, text: &str) -> bool {
    match m {
        Matcher::Equals(lit) => text.trim() == lit.text() || same_number(lit, text),
        Matcher::Contains(s) => text.contains(s.as_str()),
        Matcher::Matches(re) => regex(re).is_some_and(|r| r.is_match(text)),
        Matcher::Not(inner) => !self::text(inner, text),
        Matcher::All(ms) => ms.iter().all(|m| self::text(m, text)),
        Matcher::Any(ms) => ms.iter().any(|m| self::text(m, text)),
        Matcher::Lt(n) => number(text).is_some_and(|v| v < *n),
        Matcher::Gt(n) => number(text).is_some_and(|v| v > *n),
    }
}

/// Whether `m` holds when each leaf (a matcher other than `not`, `all`, `any`) is decided
/// by `leaf`: for values with several spellings, compared leaf by leaf.
pub fn with_leaf(m: &Matcher, leaf: &dyn Fn(&Matcher) -> bool) -> bool {
    match m {
        Matcher::Not(inner) => !with_leaf(inner, leaf),
        Matcher::All(ms) => ms.iter().all(|m| with_leaf(m, leaf)),
        Matcher::Any(ms) => ms.iter().any(|m| with_leaf(m, leaf)),
        other => leaf(other),
    }
}

/// Whether `m` on `text` that was cut short is no verdict: a miss could be in the part not
/// read, and a `not` could be decided there. Only a match found in what was kept is sure.
pub fn undecided_when_cut(m: &Matcher, text: &str) -> bool {
    !self::text(m, text) || negates(m)
}

/// Whether a matcher can pass on what is absent (a `not` somewhere in it).
pub fn negates(m: &Matcher) -> bool {
    match m {
        Matcher::Not(_) => true,
        Matcher::All(ms) | Matcher::Any(ms) => ms.iter().any(negates),
        _ => false,
    }
}

/// A number the lab gives, and text that reads as the same number (`1.0` is written
/// `1.0`, though YAML reads it as the float 1). Only plain decimals count as numbers here
/// (not `+1`, `1e0`, `inf`), and whole numbers compare exactly.
fn same_number(lit: &Literal, text: &str) -> bool {
    let text = text.trim();
    if !plain_decimal(text) {
        return false;
    }
    match lit {
        Literal::Int(i) => text.parse::<i64>().is_ok_and(|got| got == *i),
        Literal::Float(f) => text.parse::<f64>().is_ok_and(|got| got == *f),
        _ => false,
    }
}

/// `-12`, `3`, `0.5`: digits, an optional sign and decimal point.
fn plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON string that is a plain decimal, as a number (a label's value).
fn decimal(text: &str) -> Option<f64> {
    let text = text.trim();
    plain_decimal(text).then(|| text.parse().ok()).flatten()
}

/// Whether a JSON value (from the engine's inspect) satisfies `m`.
pub fn json(m: &Matcher, v: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match m {
        Matcher::Equals(lit) => match (lit, v) {
            (Literal::Null, J::Null) => true,
            (Literal::Bool(a), J::Bool(b)) => a == b,
            (Literal::Int(a), J::Number(b)) => {
                b.as_i64() == Some(*a) || b.as_f64() == Some(*a as f64)
            }
            (Literal::Float(a), J::Number(b)) => b.as_f64() == Some(*a),
            (Literal::Str(a), J::String(b)) => a == b,
            // A label or an option is text: `version: 1.0` is the label "1.0".
            (lit @ (Literal::Int(_) | Literal::Float(_)), J::String(b)) => {
                lit.text() == *b || same_number(lit, b)
            }
            (lit, other) => lit.text() == json_text(other),
        },
        Matcher::Not(inner) => !json(inner, v),
        Matcher::All(ms) => ms.iter().all(|m| json(m, v)),
        Matcher::Any(ms) => ms.iter().any(|m| json(m, v)),
        Matcher::Lt(n) => v
            .as_f64()
            .or_else(|| v.as_str().and_then(decimal))
            .is_some_and(|x| x < *n),
        Matcher::Gt(n) => v
            .as_f64()
            .or_else(|| v.as_str().and_then(decimal))
            .is_some_and(|x| x > *n),
        Matcher::Contains(_) | Matcher::Matches(_) => text(m, &json_text(v)),
    }
}

/// A JSON value as text: strings bare, everything else as JSON.
pub fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}

fn regex(re: &str) -> Option<Regex> {
    // Patterns were compiled once at load; this cannot fail for a loaded lab.
    regex::RegexBuilder::new(re)
        .size_limit(1 << 20)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(s: &str) -> Matcher {
        Matcher::Contains(s.into())
    }

    #[test]
    fn text_matchers() {
        assert!(text(&c("ok"), "all ok"));
        assert!(text(&Matcher::Equals(Literal::Int(0)), " 0\n"));
        assert!(text(&Matcher::Matches("^a.c$".into()), "abc"));
        assert!(text(&Matcher::Not(Box::new(c("err"))), "fine"));
        assert!(text(&Matcher::All(vec![c("a"), c("b")]), "ab"));
        assert!(!text(&Matcher::All(vec![c("a"), c("z")]), "ab"));
        assert!(text(&Matcher::Any(vec![c("x"), c("b")]), "ab"));
        assert!(text(&Matcher::Lt(5.0), "3"));
        assert!(!text(&Matcher::Gt(5.0), "not a number"));
    }

    #[test]
    fn json_matchers() {
        assert!(json(
            &Matcher::Equals(Literal::Int(536870912)),
            &json!(536870912)
        ));
        assert!(json(&Matcher::Equals(Literal::Bool(false)), &json!(false)));
        assert!(!json(&Matcher::Equals(Literal::Str("1".into())), &json!(2)));
        assert!(json(&Matcher::Lt(10.0), &json!(3)));
        assert!(json(&c("bus"), &json!("busybox:1.36")));
        assert!(json(&Matcher::Equals(Literal::Null), &json!(null)));
    }

    /// YAML reads `1.0` as the float 1; a label, an option or a line is text.
    #[test]
    fn numbers_are_numbers_in_text_too() {
        let one = Matcher::Equals(Literal::Float(1.0));
        assert!(json(&one, &json!("1.0")) && text(&one, "1.0\n") && text(&one, "1"));
        assert!(!json(&one, &json!("1.5")) && !text(&one, "v1.0"));
        assert!(json(&Matcher::Gt(7.0), &json!("30")));
        assert!(!json(&Matcher::Gt(7.0), &json!("3")));
        assert!(!json(&Matcher::Lt(7.0), &json!("many")));
        assert!(json(&Matcher::Equals(Literal::Int(3)), &json!("3")));
        // Only plain decimals: not a sign, an exponent, infinity; whole numbers exactly.
        assert!(!json(&Matcher::Gt(7.0), &json!("inf")));
        assert!(!text(&Matcher::Equals(Literal::Int(1)), "1e0"));
        assert!(!text(&Matcher::Equals(Literal::Int(1)), "+1"));
        assert!(!text(
            &Matcher::Equals(Literal::Int(9007199254740993)),
            "9007199254740992"
        ));
    }
}
