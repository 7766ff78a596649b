//! The words every check kind uses to say what was expected and what was seen: one
//! vocabulary, plain sentences, and no answers given away (a pattern is never shown: it is
//! often the answer itself).

use crate::model::{Literal, Matcher};

/// What a matcher asks of a value, as the verb phrase after "to": `contain "ok"`, `be 0`,
/// `not contain "v1"`, `have the form the task asks for`.
pub fn wanted(m: &Matcher) -> String {
    match m {
        Matcher::Equals(Literal::Str(s)) => format!("be \"{s}\""),
        Matcher::Equals(Literal::Null) => "be empty".to_string(),
        Matcher::Equals(l) => format!("be {}", l.text()),
        Matcher::Contains(s) => format!("contain \"{s}\""),
        Matcher::Matches(_) => "have the form the task asks for".to_string(),
        Matcher::Not(inner) => negated(inner),
        Matcher::All(ms) => and_list(&ms.iter().map(wanted).collect::<Vec<_>>()),
        Matcher::Any(ms) if ms.iter().all(is_literal) => {
            let options: Vec<String> = ms.iter().map(literal_text).collect();
            format!("be {}", or_list(&options))
        }
        Matcher::Any(_) => "be one of the forms the task accepts".to_string(),
        Matcher::Lt(n) => format!("be less than {}", number(*n)),
        Matcher::Gt(n) => format!("be more than {}", number(*n)),
    }
}

fn negated(inner: &Matcher) -> String {
    match inner {
        Matcher::Equals(Literal::Str(s)) => format!("be anything but \"{s}\""),
        Matcher::Equals(Literal::Null) => "not be empty".to_string(),
        Matcher::Equals(l) => format!("be anything but {}", l.text()),
        Matcher::Contains(s) => format!("leave out \"{s}\""),
        Matcher::Matches(_) => "not have that form".to_string(),
        Matcher::Not(m) => wanted(m),
        Matcher::Any(ms) if ms.iter().all(is_literal) => {
            let options: Vec<String> = ms.iter().map(literal_text).collect();
            format!("be none of {}", or_list(&options).replace(" or ", ", "))
        }
        Matcher::Lt(n) => format!("be at least {}", number(*n)),
        Matcher::Gt(n) => format!("be at most {}", number(*n)),
        other => format!("not {}", wanted(other)),
    }
}

fn is_literal(m: &Matcher) -> bool {
    matches!(m, Matcher::Equals(_))
}

fn literal_text(m: &Matcher) -> String {
    match m {
        Matcher::Equals(Literal::Str(s)) if s.is_empty() => "empty".to_string(),
        Matcher::Equals(Literal::Str(s)) => format!("\"{s}\""),
        Matcher::Equals(l) => l.text(),
        other => wanted(other),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    join(items, "and")
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    join(items, "or")
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// The part of `m` that `ok` rejects: for "all of", the first part that fails (so a message
/// says which one); otherwise `m` itself.
pub fn unmet<'m>(m: &'m Matcher, ok: &dyn Fn(&Matcher) -> bool) -> &'m Matcher {
    match m {
        Matcher::All(ms) => ms
            .iter()
            .find(|p| !ok(p))
            .map(|p| unmet(p, ok))
            .unwrap_or(m),
        _ => m,
    }
}

/// What was seen, for a sentence: `"ready"`, `nothing`, or the first line and how many
/// more there were. Whole output belongs in the evidence, not in the message.
pub fn seen(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return "nothing".to_string();
    }
    let mut lines = t.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default().trim();
    let rest = lines.count();
    let short: String = first.chars().take(80).collect();
    let cut = if short.len() < first.len() { "…" } else { "" };
    match rest {
        0 => format!("\"{short}{cut}\""),
        1 => format!("\"{short}{cut}\" and 1 more line"),
        n => format!("\"{short}{cut}\" and {n} more lines"),
    }
}

/// `a` or `an`, for the word that follows.
pub fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A count with its noun: `1 line`, `3 lines`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Matcher {
        Matcher::Contains(s.into())
    }

    #[test]
    fn phrases() {
        assert_eq!(wanted(&c("ok")), "contain \"ok\"");
        assert_eq!(wanted(&Matcher::Equals(Literal::Int(0))), "be 0");
        assert_eq!(wanted(&Matcher::Not(Box::new(c("v1")))), "leave out \"v1\"");
        assert_eq!(
            wanted(&Matcher::Not(Box::new(Matcher::Equals(Literal::Int(0))))),
            "be anything but 0"
        );
        assert_eq!(
            wanted(&Matcher::Matches("^secret$".into())),
            "have the form the task asks for"
        );
        assert_eq!(
            wanted(&Matcher::All(vec![c("a"), c("b"), c("c")])),
            "contain \"a\", contain \"b\" and contain \"c\""
        );
        assert_eq!(
            wanted(&Matcher::Any(vec![
                Matcher::Equals(Literal::Str("root".into())),
                Matcher::Equals(Literal::Str(String::new())),
            ])),
            "be \"root\" or empty"
        );
        assert_eq!(wanted(&Matcher::Gt(0.0)), "be more than 0");
    }

    #[test]
    fn the_failing_part_of_all() {
        let m = Matcher::All(vec![c("a"), c("b")]);
        let ok = |p: &Matcher| matches!(p, Matcher::Contains(s) if s == "a");
        assert_eq!(unmet(&m, &ok), &c("b"));
    }

    #[test]
    fn seen_text() {
        assert_eq!(seen(""), "nothing");
        assert_eq!(seen("ok\n"), "\"ok\"");
        assert_eq!(seen("a\nb\nc"), "\"a\" and 2 more lines");
        assert_eq!(article("image"), "an");
        assert_eq!(article("network"), "a");
    }
}
