//! YAML syntax errors in an author's words: what is wrong, on the line that is wrong, and
//! how to fix it. The parser's own words name its states ("block mapping") and often its
//! position is where it noticed, one line after the mistake; the text tells us more.

use super::yaml::Pos;

/// A syntax error explained: positions are relative to the parsed text (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub message: String,
    pub pos: Option<Pos>,
    pub help: Option<String>,
}

impl Explained {
    fn at(pos: Pos, message: impl Into<String>) -> Self {
        Explained {
            message: message.into(),
            pos: Some(pos),
            help: None,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// One meaningful line of the text: not blank, not only a comment.
struct Line<'a> {
    no: u32,
    indent: usize,
    content: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let content = l.trim_start_matches(' ');
            let content = content.trim_end();
            if content.is_empty() || content.starts_with('#') {
                return None;
            }
            Some(Line {
                no: u32::try_from(i + 1).unwrap_or(u32::MAX),
                indent: l.len() - l.trim_start_matches(' ').len(),
                content,
            })
        })
        .collect()
}

/// How a line is named in a message: its key (`ports:`) or its list item.
fn label(l: &Line) -> String {
    let c = l.content;
    let short: String = c.chars().take(30).collect();
    if c.starts_with("- ") || c == "-" {
        return short;
    }
    match c.find(':') {
        Some(i) => format!("{}:", &c[..i]),
        None => short,
    }
}

/// The value after `key: ` on a line, when the line is a plain `key: value` pair.
fn value_of(content: &str) -> Option<(usize, &str)> {
    let body = content.strip_prefix("- ").unwrap_or(content);
    let skip = content.len() - body.len();
    let i = body.find(": ")?;
    let value = body[i + 2..].trim_start();
    let start = skip + body.len() - body[i + 2..].len() + (body[i + 2..].len() - value.len());
    (!value.is_empty()).then_some((start, value))
}

/// The usual indentation step of the text (2 in most labs).
fn step(all: &[Line]) -> usize {
    all.iter()
        .map(|l| l.indent)
        .filter(|i| *i > 0)
        .min()
        .unwrap_or(2)
}

/// Turn the parser's message at `pos` into plain words, using the text it came from.
pub fn explain(raw: &str, pos: Option<Pos>, text: &str) -> Explained {
    let all = lines(text);
    let found = pos.and_then(|p| {
        let i = all.iter().position(|l| l.no >= p.line)?;
        Some((p, i))
    });
    let plain = |message: String| Explained {
        message,
        pos,
        help: None,
    };
    if raw.contains("did not find expected key") || raw.contains("expected '-' indicator") {
        if let Some((_, i)) = found {
            return indentation(&all, i);
        }
    } else if raw.contains("mapping values are not allowed") {
        if let Some((p, i)) = found {
            return colon_in_value(&all, i, p);
        }
    } else if raw.contains("tabs disallowed") || raw.contains("tab") && raw.contains("indent") {
        let p = pos.unwrap_or(Pos::new(1, 1));
        let line = text.lines().nth(p.line.saturating_sub(1) as usize);
        let col = line.and_then(|l| l.find('\t')).map(|c| c as u32 + 1);
        return Explained::at(
            Pos::new(p.line, col.unwrap_or(p.col)),
            "a tab is used for indentation here; YAML indents with spaces only",
        )
        .help("replace the tab with spaces (two per level, as in the lines around it)");
    } else if raw.contains("unclosed quote") {
        let q = char_at(text, pos).filter(|c| *c == '\'' || *c == '"');
        let q = q.unwrap_or('"');
        return plain(format!(
            "this quoted value is never closed: add the closing {q} at the end of the value"
        ));
    } else if let Some(rest) = raw.strip_prefix("unclosed bracket") {
        let open = if rest.contains('{') { '{' } else { '[' };
        let close = if open == '{' { '}' } else { ']' };
        return plain(format!(
            "this \"{open}\" is never closed: end it with \"{close}\""
        ));
    } else if raw.contains("illegal placement of ':'") {
        if let Some((_, i)) = found
            && let Some(open) = unclosed_flow(&all[..i])
        {
            return Explained::at(
                Pos::new(open.0, open.1),
                format!(
                    "this \"{}\" is never closed: end it with \"{}\" on the same line",
                    open.2,
                    if open.2 == '{' { '}' } else { ']' }
                ),
            );
        }
        return plain("a \":\" where none may stand: quote the value that holds it".into());
    } else if raw.contains("misplaced bracket") {
        return plain("this bracket closes nothing: remove it (or add the one it closes)".into());
    } else if raw.contains("unknown anchor") {
        let name = word_at(text, pos, '*');
        return plain(format!(
            "\"*{name}\" refers to no anchor: define \"&{name}\" earlier in this block, or quote the value if the * is meant as text"
        ));
    } else if let Some(rest) = raw.strip_prefix("unexpected character: ") {
        let ch: String = rest.trim_matches(['`', '\'']).chars().take(1).collect();
        return plain(format!(
            "a value cannot start with \"{ch}\" unquoted: put the value in quotes"
        ));
    } else if raw.contains("trailing content after") {
        return plain("text after the closing quote: put the whole value inside the quotes".into());
    } else if raw.contains("unknown escape") {
        return plain(
            "unknown escape with \\ in a double-quoted value: use single quotes, or write \\\\ for a backslash"
                .into(),
        );
    } else if raw.contains("simple key expected") || raw.contains("could not find expected ':'") {
        return plain(
            "this line has no \":\": write it as key: value, or indent it under the key it belongs to"
                .into(),
        );
    } else if raw.contains("recursion limit") || raw.contains("depth") {
        return plain("the YAML here is nested too deeply for a lab".into());
    } else if raw.contains("alias") && raw.contains("limit") {
        return plain(
            "the aliases (*name) here expand to far too much; lab refuses such a block".into(),
        );
    } else if raw.contains("Documents") {
        return plain(
            "a block holds one YAML document: remove the \"---\" line (or close the block before it)"
                .into(),
        );
    } else if raw.contains("budget") {
        return plain("the block is too large or too complex for a lab".into());
    } else if raw.contains("base64") {
        return plain("the !!binary value is not valid base64".into());
    }
    plain(format!("invalid YAML: {}", scrub(raw)))
}

/// The parser's words without its configuration hints and state names, as a last resort.
fn scrub(raw: &str) -> String {
    let cut = raw.find(", set ").map(|i| &raw[..i]).unwrap_or(raw);
    let mut s = cut.replace("while parsing a ", "in a ");
    for (theirs, ours) in [
        ("block mapping", "map"),
        ("block sequence", "list"),
        ("block collection", "list"),
        ("flow mapping", "map in braces"),
        ("flow sequence", "list in brackets"),
        ("scalar", "value"),
        ("budget breached", "too large"),
    ] {
        s = s.replace(theirs, ours);
    }
    s
}

fn char_at(text: &str, pos: Option<Pos>) -> Option<char> {
    let p = pos?;
    let line = text.lines().nth(p.line.checked_sub(1)? as usize)?;
    line.chars().nth(p.col.checked_sub(1)? as usize)
}

/// The name after `sigil` at or after the position (`*name`).
fn word_at(text: &str, pos: Option<Pos>, sigil: char) -> String {
    let Some(p) = pos else {
        return String::new();
    };
    let line = text
        .lines()
        .nth(p.line.saturating_sub(1) as usize)
        .unwrap_or_default();
    let from: String = line
        .chars()
        .skip(p.col.saturating_sub(1) as usize)
        .collect();
    let from = match from.find(sigil) {
        Some(i) => &from[i + 1..],
        None => from.as_str(),
    };
    from.chars()
        .take_while(|c| !c.is_whitespace() && !",]}".contains(*c))
        .collect()
}

/// The last `[` or `{` left open in these lines: (line, column, bracket).
fn unclosed_flow(before: &[Line]) -> Option<(u32, u32, char)> {
    for l in before.iter().rev() {
        let mut open: Vec<(usize, char)> = Vec::new();
        let mut quote = None;
        for (i, c) in l.content.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => open.push((i, c)),
                (None, ']' | '}') => {
                    open.pop();
                }
                _ => {}
            }
        }
        if let Some((i, c)) = open.last() {
            return Some((l.no, (l.indent + i + 1) as u32, *c));
        }
    }
    None
}

fn misaligned(culprit: &Line, reference: &Line, above: bool) -> Explained {
    let whereto = if above { "above" } else { "below" };
    // A key lines up with the key of a list item (`- type: tmpfs`), not with its dash.
    let named = match reference.content.strip_prefix("- ") {
        Some(rest) if !culprit.content.starts_with('-') && rest.contains(':') => Line {
            no: reference.no,
            indent: reference.indent + 2,
            content: rest,
        },
        _ => Line { ..*reference },
    };
    let reference = &named;
    Explained::at(
        Pos::new(culprit.no, culprit.indent as u32 + 1),
        format!(
            "this line is indented differently from the keys around it: line it up with \"{}\" {whereto}, or indent it under a key",
            label(reference)
        ),
    )
}

/// The parser expected a key at the indentation of the map it was in: find the line whose
/// indentation is off, which may be above the line where the parser noticed.
fn indentation(all: &[Line], i: usize) -> Explained {
    let here = &all[i];
    let r = here.indent;
    let parent = all[..i].iter().rposition(|l| l.indent <= r);
    let Some(a) = parent else {
        return misaligned_alone(here);
    };
    let above = &all[a];
    if above.indent == r {
        if here.content.starts_with('-') && !above.content.starts_with('-') {
            return Explained::at(
                Pos::new(here.no, here.indent as u32 + 1),
                format!(
                    "a list item among the keys of a map: indent it under the key it belongs to (\"{}\" above holds its own value), or remove the \"-\"",
                    label(above)
                ),
            );
        }
        return misaligned_alone(here);
    }
    let group = &all[a + 1..i];
    let Some(first) = group.first() else {
        // Deeper than the line above, which already has its value.
        return misaligned(here, above, true);
    };
    let expected = above.indent + step(all);
    let child_of_item = above.content.starts_with("- ");
    if r == expected && first.indent != expected && !child_of_item {
        return misaligned(first, here, false);
    }
    misaligned(here, first, true)
}

fn misaligned_alone(here: &Line) -> Explained {
    Explained::at(
        Pos::new(here.no, here.indent as u32 + 1),
        "this line does not line up with the lines around it: check its indentation",
    )
}

/// `key: a: b`: a plain value may not hold ": ". Or a line indented under a `key: value`,
/// which reads as more of that value.
fn colon_in_value(all: &[Line], i: usize, p: Pos) -> Explained {
    let here = &all[i];
    let col = p.col as usize;
    if let Some((start, value)) = value_of(here.content)
        && here.indent + start < col
        && !value.starts_with(['"', '\'', '[', '{', '|', '>'])
    {
        let key_part = &here.content[..start];
        let quoted = if value.contains('"') {
            format!("'{}'", value.replace('\'', "''"))
        } else {
            format!("\"{value}\"")
        };
        return Explained::at(
            Pos::new(here.no, (here.indent + start) as u32 + 1),
            "a value that contains \": \" must be quoted",
        )
        .help(format!("write it as: {key_part}{quoted}"));
    }
    if i > 0 {
        let prev = &all[i - 1];
        if prev.indent < here.indent {
            return misaligned(here, prev, true);
        }
        if !prev.content.contains(':') && !prev.content.starts_with('-') {
            return Explained::at(
                Pos::new(prev.no, prev.indent as u32 + 1),
                "this line is not a key: value pair, so the line below reads as more of it: write it as key: value",
            );
        }
    }
    Explained::at(
        p,
        "a \":\" where none may stand: quote the value that holds it",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str, line: u32, col: u32, text: &str) -> Explained {
        explain(raw, Some(Pos::new(line, col)), text)
    }

    #[test]
    fn the_misindented_line_above_is_blamed() {
        let text = "services:\n  web:\n     image: x\n    ports: [\"80\"]\n";
        let e = at(
            "while parsing a block mapping, did not find expected key",
            4,
            5,
            text,
        );
        assert_eq!(e.pos, Some(Pos::new(3, 6)), "{e:?}");
        assert!(e.message.contains("\"ports:\" below"), "{e:?}");
    }

    #[test]
    fn the_misindented_line_itself_is_blamed() {
        let text = "web:\n  image: x\n  ports: [\"80\"]\n   command: x\n";
        let e = at(
            "while parsing a block mapping, did not find expected key",
            4,
            4,
            text,
        );
        assert_eq!(e.pos, Some(Pos::new(4, 4)), "{e:?}");
        assert!(e.message.contains("\"ports:\" above"), "{e:?}");
    }

    #[test]
    fn a_colon_in_a_value_asks_for_quotes() {
        let e = at(
            "mapping values are not allowed in this context",
            1,
            11,
            "title: web: still answers\n",
        );
        assert_eq!(e.pos, Some(Pos::new(1, 8)));
        assert_eq!(
            e.help.as_deref(),
            Some("write it as: title: \"web: still answers\"")
        );
    }

    /// Every one-character slip anywhere in a stack: no panic, and no parser words.
    #[test]
    fn slips_never_panic_or_leak() {
        let text = "x-c: &c\n  restart: always\nservices:\n  web:\n    <<: *c\n    image: \"busybox:1.36\"\n    ports: [\"8080\"]\n    environment: {A: b}\n    command:\n      - sh\n";
        for (i, _) in text.char_indices() {
            for c in [
                ' ', '\t', ':', '-', '"', '\'', '[', '{', ']', '*', '&', '#', '\n', 'é', '%',
            ] {
                let mut t = text.to_string();
                t.insert(i, c);
                if let Err(e) = crate::course::yaml::parse(&t) {
                    for word in ["Policy", "Options", "saphyr", "serde", "block mapping"] {
                        assert!(!e.message.contains(word), "{t:?}: {e:?}");
                    }
                }
                let mut t = text.to_string();
                t.remove(i);
                let _ = crate::course::yaml::parse(&t);
            }
        }
    }

    #[test]
    fn no_library_words() {
        let e = at(
            "duplicate mapping key: a, set DuplicateKeyPolicy in Options if acceptable",
            1,
            1,
            "a: 1\n",
        );
        assert!(!e.message.contains("DuplicateKeyPolicy"), "{e:?}");
    }
}
