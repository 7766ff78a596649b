//! Reading `key: value` lines the way a person writes them in Markdown (LAB_FORMAT §4.5):
//! list markers, headings, quotes, bold, backticks, CRLF and a trailing remark in
//! parentheses are decoration, not part of the key or the value. A table row
//! `| key | value |` gives a key too.
//!
//! Lines inside fenced code blocks count like any other: a student who pastes the task's
//! template into a code block means the answers in it.

use sha2::{Digest, Sha256};

use super::table;

/// One line of the answers file that gives the key asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based.
    pub number: usize,
    /// The line as written (without its line ending).
    pub text: String,
    /// The value with its decoration removed, case kept: what the student wrote.
    pub value: String,
    /// The value is the task's template placeholder (`<the value of …>`), not an answer.
    pub placeholder: bool,
    /// Other values its remarks offer (`137 (or 143)` offers `143`).
    pub offered: Vec<String>,
}

/// Characters that wrap a key or a value for looks: emphasis, code, quotes.
pub(super) const DECORATION: &[char] =
    &['*', '_', '`', '"', '\'', '“', '”', '‘', '’', '„', '«', '»'];

/// Pairs that may surround a value, outermost first.
const PAIRS: &[(&str, &str)] = &[
    ("**", "**"),
    ("__", "__"),
    ("*", "*"),
    ("_", "_"),
    ("`", "`"),
    ("\"", "\""),
    ("'", "'"),
    ("“", "”"),
    ("‘", "’"),
    ("„", "“"),
    ("«", "»"),
];

/// Every line that gives `key`, in order.
pub fn lines_for(text: &str, key: &str) -> Vec<Line> {
    let want = normalize_key(key);
    let raws: Vec<&str> = text
        .split('\n')
        .map(|raw| raw.strip_suffix('\r').unwrap_or(raw))
        .collect();
    raws.iter()
        .enumerate()
        .filter_map(|(i, &raw)| {
            let (k, written) = entry(raw, raws.get(i + 1).copied())?;
            if normalize_key(&k) != want {
                return None;
            }
            let (value, remarks) = undecorated(&written);
            let offered = remarks
                .iter()
                .flat_map(|r| super::offered::offered(&value, r))
                .collect();
            Some(Line {
                number: i + 1,
                text: raw.to_string(),
                placeholder: is_placeholder(&value),
                value,
                offered,
            })
        })
        .collect()
}

/// A template's stand-in for a value, as the labs write them (`key: <the value of …>`): a
/// description in angle brackets, or `...`. `<none>`, which docker prints, has no space in it.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let described = v.starts_with('<') && v.ends_with('>') && v.contains(char::is_whitespace);
    described || matches!(v, "..." | "…")
}

/// A line read as `key: value` or as a table row `| key | value |`, the value as written;
/// `next` is the line after it, which tells a table's header row (`| key | value |` above
/// `|---|---|`).
fn entry<'l>(line: &'l str, next: Option<&str>) -> Option<(String, std::borrow::Cow<'l, str>)> {
    let Some(cells) = table::cells(strip_markers(line)) else {
        return split(line).map(|(k, v)| (k, v.into()));
    };
    match cells.as_slice() {
        [one] => split(one).map(|(k, v)| (k, v.to_string().into())),
        [k, v] => {
            let rule_next = next
                .and_then(|n| table::cells(strip_markers(n)))
                .is_some_and(|c| table::is_rule(&c));
            if table::is_rule(&cells) || (rule_next && table::is_heading(&cells)) {
                return None;
            }
            let key = k.trim_matches(|c: char| c == ':' || DECORATION.contains(&c));
            let key = key.trim();
            (!key.is_empty()).then(|| (key.to_string(), v.clone().into()))
        }
        // A third column would leave which one is the answer a guess.
        _ => None,
    }
}

/// A `key: value` line's key, undecorated, and its value as written.
fn split(line: &str) -> Option<(String, &str)> {
    let body = strip_markers(line);
    let (key_raw, value_raw) = body.split_once(':')?;
    let key_raw = key_raw.trim();
    let opened = key_raw
        .chars()
        .take_while(|c| DECORATION.contains(c))
        .count();
    let closed = key_raw
        .chars()
        .rev()
        .take_while(|c| DECORATION.contains(c))
        .count();
    let key = key_raw.trim_matches(DECORATION).trim();
    if key.is_empty() || opened == key_raw.chars().count() {
        return None;
    }
    // `**key:** value`: the emphasis opened before the key closes after the colon; in
    // `` `key: value` `` it closes at the end of the line.
    let mut value = value_raw;
    let mut unclosed = opened.saturating_sub(closed);
    while unclosed > 0
        && let Some(rest) = value.strip_prefix(DECORATION)
    {
        value = rest;
        unclosed -= 1;
    }
    let mut value = value.trim_end();
    while unclosed > 0
        && let Some(rest) = value.strip_suffix(DECORATION)
    {
        value = rest;
        unclosed -= 1;
    }
    Some((key.to_string(), value))
}

/// Blockquotes, headings, list markers and task boxes in front of a line.
fn strip_markers(line: &str) -> &str {
    let mut s = line.trim_start();
    loop {
        let before = s;
        if let Some(rest) = s.strip_prefix('>') {
            s = rest.trim_start();
        }
        let hashes = s.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && s[hashes..].starts_with([' ', '\t']) {
            s = s[hashes..].trim_start();
        }
        if let Some(rest) = s.strip_prefix(['-', '*', '+'])
            && rest.starts_with([' ', '\t'])
        {
            s = rest.trim_start();
        }
        let digits = s.chars().take_while(char::is_ascii_digit).count();
        if (1..=9).contains(&digits)
            && let Some(rest) = s[digits..].strip_prefix(['.', ')'])
            && rest.starts_with([' ', '\t'])
        {
            s = rest.trim_start();
        }
        for task_box in ["[ ]", "[x]", "[X]"] {
            if let Some(rest) = s.strip_prefix(task_box)
                && rest.starts_with([' ', '\t'])
            {
                s = rest.trim_start();
            }
        }
        if s == before {
            return s;
        }
    }
}

/// A value without what surrounds it for looks: spaces, quotes, emphasis, backticks, a
/// trailing remark in parentheses (`137 (SIGKILL)` is `137`) and one full stop or `!` that
/// ends the sentence (`copper-kettle.` is `copper-kettle`, as `137.` already was `137` as a
/// number). Case is kept.
pub fn undecorate(value: &str) -> String {
    undecorated(value).0
}

/// [`undecorate`], and the remarks it dropped (without their parentheses), outermost first.
pub fn undecorated(value: &str) -> (String, Vec<String>) {
    let mut v = value.trim();
    let mut stopped = false;
    let mut remarks = Vec::new();
    loop {
        let before = v;
        if !stopped && let Some(rest) = without_full_stop(v) {
            v = rest.trim_end();
            stopped = true;
        }
        let (head, remark) = without_remark(v);
        v = head.trim();
        remarks.extend(remark.map(str::to_string));
        for (open, close) in PAIRS {
            if v.len() >= open.len() + close.len()
                && let Some(inner) = v.strip_prefix(open).and_then(|r| r.strip_suffix(close))
            {
                v = inner.trim();
                break;
            }
        }
        if v == before {
            return (v.to_string(), remarks);
        }
    }
}

/// `copper-kettle.` → `copper-kettle`: one `.` or `!` at the end, not after another mark
/// (`..`, `?!` stay: they are no sentence's end) and not all there is.
fn without_full_stop(v: &str) -> Option<&str> {
    let rest = v.strip_suffix(['.', '!'])?;
    let ends_marked = rest.ends_with(['.', '!', '?']);
    (!rest.trim().is_empty() && !ends_marked).then_some(rest)
}

/// `137 (SIGKILL)` → `137`: a parenthesised remark at the end, after a space, when
/// something comes before it (`(none)` alone is the value itself, `f(x)` is no remark).
fn without_remark(v: &str) -> (&str, Option<&str>) {
    if !v.ends_with(')') {
        return (v, None);
    }
    let mut depth = 0usize;
    for (i, c) in v.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    let head = &v[..i];
                    let spaced = head.ends_with([' ', '\t']);
                    return if spaced && !head.trim().is_empty() {
                        (head, Some(&v[i + 1..v.len() - 1]))
                    } else {
                        (v, None)
                    };
                }
            }
            _ => {}
        }
    }
    (v, None)
}

/// How keys compare: case and runs of spaces do not matter.
fn normalize_key(key: &str) -> String {
    key.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The one normal form of an answer, used both to compare and for `sha256:` digests:
/// decoration removed ([`undecorate`]), runs of white space made one space, lowercase.
/// An author computes a digest of the normalised value, e.g.
/// `printf %s copper-kettle | sha256sum`.
pub fn normalize(value: &str) -> String {
    normalize_key(&undecorate(value))
}

/// Whether a student's value is an expected one: normalised texts equal, or both numbers
/// and equal as numbers (`137` = `137.0`).
pub fn same(student: &str, expected: &str) -> bool {
    let (a, b) = (normalize(student), normalize(expected));
    match (number(&a), number(&b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A number as answers compare them: two whole numbers exactly (ids longer than a float
/// holds stay apart), otherwise as floats.
#[derive(Debug, Clone, Copy)]
enum Number {
    Whole(i128),
    Real(f64),
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (*self, *other) {
            (Number::Whole(a), Number::Whole(b)) => a == b,
            (a, b) => a.as_f64() == b.as_f64(),
        }
    }
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Whole(i) => i as f64,
            Number::Real(f) => f,
        }
    }
}

/// Whether an answer, normalised, is a number (`137`, `1.5`, `1e3`).
pub fn is_number(text: &str) -> bool {
    number(text).is_some()
}

fn number(text: &str) -> Option<Number> {
    if let Ok(i) = text.parse::<i128>() {
        return Some(Number::Whole(i));
    }
    // `inf` and `nan` parse as floats; in an answer they are words.
    let f = text.parse::<f64>().ok().filter(|f| f.is_finite())?;
    Some(Number::Real(f))
}

/// The lowercase hex SHA-256 digests a value's `sha256:` may be: of its normal form, and
/// for a number also of its plain form (`137` for `137.0`, `1.5` for `1.50`).
pub fn digests(value: &str) -> Vec<String> {
    let norm = normalize(value);
    let mut forms = vec![norm.clone()];
    // The normal form drops a final `.` or `!`; a digest taken of a value with one (before
    // it did) still matches, as `equals:` of that value does.
    if !norm.is_empty() {
        forms.extend([format!("{norm}."), format!("{norm}!")]);
    }
    if let Some(n) = number(&norm) {
        let plain = match n {
            Number::Whole(i) => i.to_string(),
            Number::Real(f) if f.fract() == 0.0 && f.abs() < 1e15 => (f as i64).to_string(),
            Number::Real(f) => f.to_string(),
        };
        if plain != norm {
            forms.push(plain);
        }
    }
    forms.iter().map(|f| sha256_hex(f)).collect()
}

/// Lowercase hex SHA-256 of a text's UTF-8 bytes.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str, key: &str) -> Option<String> {
        lines_for(text, key).into_iter().next().map(|l| l.value)
    }

    #[test]
    fn the_ways_people_write_a_line() {
        let cases: &[(&str, &str, &str)] = &[
            ("passphrase: copper-kettle", "passphrase", "copper-kettle"),
            ("- passphrase: copper-kettle", "passphrase", "copper-kettle"),
            ("+ passphrase: copper-kettle", "passphrase", "copper-kettle"),
            (
                "* **Passphrase:** `copper-kettle`",
                "passphrase",
                "copper-kettle",
            ),
            (
                "**passphrase**: copper-kettle",
                "passphrase",
                "copper-kettle",
            ),
            ("*passphrase*: copper-kettle", "passphrase", "copper-kettle"),
            ("`passphrase`: copper-kettle", "passphrase", "copper-kettle"),
            (
                "\"passphrase\": \"copper-kettle\"",
                "passphrase",
                "copper-kettle",
            ),
            (
                "1. passphrase: \"copper-kettle\"",
                "passphrase",
                "copper-kettle",
            ),
            (
                "2) passphrase: copper-kettle",
                "passphrase",
                "copper-kettle",
            ),
            ("passphrase: ‘copper-kettle’", "passphrase", "copper-kettle"),
            ("passphrase: “copper-kettle”", "passphrase", "copper-kettle"),
            ("passphrase: 'copper-kettle'", "passphrase", "copper-kettle"),
            (
                "passphrase: **`copper-kettle`**",
                "passphrase",
                "copper-kettle",
            ),
            (
                "\t  passphrase :\tcopper-kettle  ",
                "passphrase",
                "copper-kettle",
            ),
            ("PASSPHRASE: Copper-Kettle", "passphrase", "Copper-Kettle"),
            (
                "## passphrase: copper-kettle",
                "passphrase",
                "copper-kettle",
            ),
            (
                "> - [x] passphrase: copper-kettle",
                "passphrase",
                "copper-kettle",
            ),
            ("napper-exit-code: 137 (SIGKILL)", "napper-exit-code", "137"),
            (
                "napper-exit-code: `137` (SIGKILL)",
                "napper-exit-code",
                "137",
            ),
            (
                "napper-exit-code: `137 (SIGKILL)`",
                "napper-exit-code",
                "137",
            ),
            ("kernel: `6.1.0-18-amd64`", "kernel", "6.1.0-18-amd64"),
            (
                "url: http://localhost:8080/x",
                "url",
                "http://localhost:8080/x",
            ),
            ("exit code: 0", "Exit  Code", "0"),
            ("`passphrase: copper-kettle`", "passphrase", "copper-kettle"),
            (
                "**passphrase: copper-kettle**",
                "passphrase",
                "copper-kettle",
            ),
            (
                "**passphrase:** *copper-kettle*",
                "passphrase",
                "copper-kettle",
            ),
        ];
        for (line, key, want) in cases {
            assert_eq!(
                value_of(line, key).as_deref(),
                Some(*want),
                "{line:?} for {key}"
            );
        }
    }

    #[test]
    fn crlf_and_the_first_occurrence() {
        let text = "# Answers\r\n\r\n- passphrase: copper-kettle\r\n- passphrase: other\r\n";
        let lines = lines_for(text, "passphrase");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].number, 3);
        assert_eq!(lines[0].value, "copper-kettle");
        assert_eq!(lines[0].text, "- passphrase: copper-kettle");
    }

    #[test]
    fn template_placeholders_are_marked() {
        let text = "passphrase: <the value of PASSPHRASE>\npassphrase: ...\n\
                    passphrase: <none>\npassphrase: copper-kettle\n";
        let marks: Vec<bool> = lines_for(text, "passphrase")
            .iter()
            .map(|l| l.placeholder)
            .collect();
        assert_eq!(marks, [true, true, false, false]);
    }

    #[test]
    fn a_key_is_matched_whole_not_as_a_prefix() {
        let text = "id: abc\nip: 10.0.0.2\nidentity: x\n";
        assert_eq!(value_of(text, "ip").as_deref(), Some("10.0.0.2"));
        assert_eq!(value_of(text, "id").as_deref(), Some("abc"));
        assert_eq!(value_of(text, "i"), None);
    }

    #[test]
    fn lines_in_a_fenced_code_block_count() {
        let text = "Answers:\n\n```\npassphrase: copper-kettle\n```\n";
        assert_eq!(
            value_of(text, "passphrase").as_deref(),
            Some("copper-kettle")
        );
    }

    #[test]
    fn what_is_not_a_value_line() {
        assert_eq!(split("just prose"), None);
        assert_eq!(split(": no key"), None);
        assert_eq!(split("**: x"), None);
        assert_eq!(value_of("passphrase copper-kettle", "passphrase"), None);
    }

    #[test]
    fn remarks_are_only_trailing_parentheses_after_a_space() {
        assert_eq!(undecorate("(none)"), "(none)");
        assert_eq!(undecorate("f(x)"), "f(x)");
        assert_eq!(undecorate("a (b (c))"), "a");
        assert_eq!(undecorate("   "), "");
    }

    #[test]
    fn a_sentence_s_full_stop_is_not_part_of_the_value() {
        assert!(same("copper-kettle.", "copper-kettle"));
        assert!(same("copper-kettle!", "copper-kettle"));
        assert!(same("`copper-kettle`.", "copper-kettle"));
        assert!(same("copper-kettle", "copper-kettle."));
        assert!(same("137 (SIGKILL).", "137"));
        assert!(!same("copper-kettle..", "copper-kettle"));
        assert!(!same("copper.kettle", "copperkettle"));
        assert!(!same("copper-kettle?", "copper-kettle"));
        assert_eq!(undecorate("6.1.0-18-amd64."), "6.1.0-18-amd64");
        assert_eq!(undecorate("..."), "...");
        assert_eq!(undecorate("."), ".");
    }

    #[test]
    fn values_compare_by_case_and_numbers_by_value() {
        assert!(same("Copper-Kettle", "copper-kettle"));
        assert!(same("copper  kettle", "copper kettle"));
        assert!(same("137", "137.0"));
        assert!(same(" 137", "137"));
        assert!(same("1e3", "1000"));
        assert!(!same("137", "138"));
        assert!(same("NaN", "nan"));
        assert!(!same("inf", "infinity"));
        assert!(same(
            "123456789012345678901234567890",
            "123456789012345678901234567890"
        ));
        assert!(!same(
            "123456789012345678901234567891",
            "123456789012345678901234567890"
        ));
    }

    #[test]
    fn digests_are_of_the_normal_form() {
        // printf %s copper-kettle | sha256sum
        let kettle = "eb9a1813b62bfca6f65bbd78676b4ed8a7204a6530482645c18a10d63e025bb2";
        assert_eq!(digests("**Copper-Kettle**")[0], kettle);
        // printf %s 137 | sha256sum
        let n137 = "d80eae6e96d148b3b2abbbc6760077b66c4ea071f847dab573d507a32c4d99a5";
        assert_eq!(digests("137")[0], n137);
        assert_eq!(digests("137.0")[0], sha256_hex("137.0"));
        assert!(digests("137.0").contains(&n137.to_string()));
        assert!(!digests("138").contains(&n137.to_string()));
        assert!(digests("1.50").contains(&sha256_hex("1.5")));
        // An author's digest of a value that ends a sentence.
        assert!(digests("Done").contains(&sha256_hex("done.")));
        assert!(digests("done.").contains(&sha256_hex("done")));
    }
}
