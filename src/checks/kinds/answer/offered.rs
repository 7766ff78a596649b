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

/// The values `remark` offers beside `value`. For a number, every number in a remark that
/// hedges (`or`, `maybe`, `/`, `?` …), or a remark that is nothing but a number
/// (`137 (143)`). For a word, a single word right after a hedge or before a `?`
/// (`copper-kettle (or brass-kettle)`): a word before one is more often a gloss
/// (`nc (netcat, or busybox nc)`). Remarks that explain (`137 (SIGKILL, after the 10 s
/// grace period)`, `137 (signal 9 or SIGKILL)`) offer nothing.
pub fn offered(value: &str, remark: &str) -> Vec<String> {
    let numeric = is_number(&normalize(value));
    let lower = remark.to_lowercase();
    // `137/143` is two numbers; `/bin/nc` is one path.
    let spaced = if numeric {
        lower.replace('/', " / ")
    } else {
        lower
    };
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let hedged = words
        .iter()
        .any(|w| *w == "/" || w.contains('?') || HEDGES.contains(&w.trim_matches(PUNCTUATION)));
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
        .filter(|s| {
            let one_word = !s.text.contains(char::is_whitespace);
            if numeric {
                is_number(&normalize(&s.text))
            } else {
                one_word && !s.text.is_empty() && (s.introduced || s.questioned)
            }
        })
        .map(|s| s.text)
        .collect()
}

/// A stretch of a remark between hedges, commas and question marks.
#[derive(Debug, Default)]
struct Segment {
    text: String,
    /// It follows a hedge word or `/`.
    introduced: bool,
    /// It ends with `?`.
    questioned: bool,
}

fn segments(words: &[&str]) -> Vec<Segment> {
    let mut done = Vec::new();
    let mut now = Segment::default();
    let mut close = |now: &mut Segment, introduced: bool| {
        let mut seg = std::mem::take(now);
        seg.text = seg.text.trim().trim_matches(PUNCTUATION).trim().to_string();
        done.push(seg);
        now.introduced = introduced;
    };
    for w in words {
        let bare = w.trim_matches(PUNCTUATION);
        if *w == "/" || HEDGES.contains(&bare) {
            close(&mut now, true);
            continue;
        }
        if !now.text.is_empty() {
            now.text.push(' ');
        }
        now.text.push_str(w);
        if w.ends_with('?') {
            now.questioned = true;
            close(&mut now, false);
        } else if w.ends_with([',', ';']) {
            close(&mut now, false);
        }
    }
    close(&mut now, false);
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
            ("copper-kettle", "or brass-kettle", &["brass-kettle"]),
            ("copper-kettle", "brass-kettle?", &["brass-kettle"]),
            ("copper-kettle", "from the env, or so it says", &[]),
            ("copper-kettle", "brass-kettle", &[]),
            ("nc", "/bin/nc in busybox", &[]),
            ("nc", "netcat, or busybox nc", &[]),
            ("nc", "or /bin/nc", &["/bin/nc"]),
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
