//! Other values a remark in parentheses offers: `137 (or 143)` gives two answers, not 137
//! with a note. A remark is dropped from the value ([`super::read::undecorate`]); the
//! values it offers are kept, and an answer counts only when every one of them is right.

use super::read::{is_number, normalize};

/// Words that make a remark a choice between values.
const HEDGES: &[&str] = &["or", "either", "maybe", "perhaps", "possibly", "probably"];

/// Characters around a value in a remark that are sentence, not value.
const PUNCTUATION: &[char] = &[
    '.', ',', ';', ':', '!', '?', '*', '_', '`', '"', '\'', '“', '”', '‘', '’', '«', '»',
];

/// The values `remark` offers beside `value`, for a number: every number in a remark that
/// hedges (`or`, `maybe`, `?` …, or `/` between two numbers), or a remark that is nothing
/// but a number (`137 (143)`). Remarks that explain (`137 (SIGKILL, after the 10 s grace
/// period)`, `137 (signal 9 or SIGKILL)`, `137 (SIGKILL/9)`) offer nothing. A word's remark
/// offers nothing: `nc (or netcat)`, `nc (busybox?)` are glosses more often than choices.
pub fn offered(value: &str, remark: &str) -> Vec<String> {
    let numeric = is_number(&normalize(value));
    if !numeric {
        return Vec::new();
    }
    let lower = remark.to_lowercase();
    // `137/143` is two numbers.
    let spaced = lower.replace('/', " / ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let hedged = words.iter().enumerate().any(|(i, w)| {
        w.contains('?')
            || HEDGES.contains(&w.trim_matches(PUNCTUATION))
            || between_numbers(&words, i)
    });
    if !hedged {
        let whole = remark.trim().trim_matches(PUNCTUATION);
        return if numeric && is_number(&normalize(whole)) {
            vec![whole.to_string()]
        } else {
            Vec::new()
        };
    }
    segments(&words)
        .into_iter()
        .filter(|s| is_number(&normalize(s)))
        .collect()
}

/// `/` with a number on each side (`137/143`); `SIGKILL/9` is one thing named twice.
fn between_numbers(words: &[&str], i: usize) -> bool {
    let number = |j: Option<usize>| {
        j.and_then(|j| words.get(j))
            .is_some_and(|w| is_number(&normalize(w.trim_matches(PUNCTUATION))))
    };
    words[i] == "/" && number(i.checked_sub(1)) && number(Some(i + 1))
}

/// The stretches of a remark between hedges, `/`, commas and question marks.
fn segments(words: &[&str]) -> Vec<String> {
    let mut done = Vec::new();
    let mut now = String::new();
    let mut close = |now: &mut String| {
        done.push(now.trim().trim_matches(PUNCTUATION).trim().to_string());
        now.clear();
    };
    for w in words {
        let bare = w.trim_matches(PUNCTUATION);
        if *w == "/" || HEDGES.contains(&bare) {
            close(&mut now);
            continue;
        }
        if !now.is_empty() {
            now.push(' ');
        }
        now.push_str(w);
        if w.ends_with('?') || w.ends_with([',', ';']) {
            close(&mut now);
        }
    }
    close(&mut now);
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::kinds::answer::read::{lines_for, undecorated};

    #[test]
    fn what_a_remark_offers() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("137", "or 143", &["143"]),
            ("137", "143?", &["143"]),
            ("137", "143", &["143"]),
            ("137", "maybe 143", &["143"]),
            ("137", "either 137 or 143", &["137", "143"]),
            ("137", "137/143", &["137", "143"]),
            ("137", "or perhaps `143`.", &["143"]),
            ("137", "or 143, I think", &["143"]),
            ("137", "SIGKILL", &[]),
            ("137", "SIGKILL, after the 10 s grace period", &[]),
            ("137", "signal 9 or SIGKILL", &[]),
            ("137", "128 + 9", &[]),
            ("137", "SIGKILL/9", &[]),
            ("137", "9 / SIGKILL", &[]),
            ("copper-kettle", "or brass-kettle", &[]),
            ("copper-kettle", "from the env, or so it says", &[]),
            ("nc", "/bin/nc in busybox", &[]),
            ("nc", "netcat, or busybox nc", &[]),
            ("nc", "or netcat", &[]),
            ("nc", "busybox?", &[]),
        ];
        for (value, remark, want) in cases {
            assert_eq!(offered(value, remark), *want, "{value} ({remark})");
        }
    }

    #[test]
    fn remarks_are_kept_for_what_they_offer() {
        let offered = |text: &str| lines_for(text, "k").remove(0).offered;
        assert_eq!(offered("k: 137 (or 143)"), ["143"]);
        assert_eq!(offered("k: `137 (or 143)`."), ["143"]);
        assert_eq!(offered("k: 137 (SIGKILL) (maybe 143)"), ["143"]);
        assert_eq!(offered("| k | 137 (143?) |"), ["143"]);
        assert!(offered("k: 137 (SIGKILL)").is_empty());
        assert_eq!(
            undecorated("`137` (a (b))"),
            ("137".to_string(), vec!["a (b)".to_string()])
        );
    }
}
