//! A lab's README.md taken apart: front matter, `## ` headings and the fenced blocks whose
//! info string gives them a role (`yaml stack`, `yaml check`), each with its place in the file.

use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd,
};

/// The YAML between the leading `---` lines, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub yaml: String,
    /// Line of the first YAML line (the one after the opening `---`).
    pub first_line: u32,
}

/// A fenced block with a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleBlock {
    pub role: Role,
    pub yaml: String,
    /// Line of the block's first content line.
    pub first_line: u32,
    /// Columns the content is indented by in the file (fences inside lists).
    pub indent: u32,
    /// Line and column of the opening fence's info string.
    pub fence_line: u32,
    pub fence_col: u32,
    /// Bytes of the body from the opening fence to the end of the closing one.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Stack,
    Check,
    /// `yaml <word>` where the word looks like a misspelt role.
    Unknown(String),
}

/// A `## ` heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub title: String,
    pub line: u32,
    /// Bytes of the body the heading takes.
    pub span: Range<usize>,
}

/// A piece of the document in order: headings and blocks interleave as written. Whether a
/// heading opens a task depends on what follows it; the loader decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Heading(Heading),
    Block(RoleBlock),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub front_matter: Option<FrontMatter>,
    /// A front matter was opened at line 1 but never closed.
    pub unclosed_front_matter: bool,
    /// The markdown after the front matter; the spans above are offsets into it.
    pub body: String,
    pub parts: Vec<Part>,
}

/// Split a README.md. Never fails: problems are reported by the caller from what is found.
pub fn split(text: &str) -> Document {
    let (front_matter, unclosed, body_start) = front_matter(text);
    let body = &text[body_start..];
    let line_of = LineIndex::new(text);
    let mut parts = Vec::new();

    let mut heading: Option<(u32, String)> = None;
    let mut block: Option<(Role, u32, usize, String, Option<usize>)> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        let start = body_start + range.start;
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                heading = Some((line_of.line(start), String::new()));
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((line, title)) = heading.take() {
                    parts.push(Part::Heading(Heading {
                        title: title.trim().to_string(),
                        line,
                        span: range,
                    }));
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                if let Some(role) = role_of(&info) {
                    block = Some((role, line_of.line(start), start, String::new(), None));
                }
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::Text(t) => {
                if let Some((_, _, _, content, first)) = block.as_mut() {
                    if first.is_none() {
                        *first = Some(start);
                    }
                    content.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((role, fence_line, fence_start, yaml, first)) = block.take() {
                    let fence_indent = line_of.col(fence_start).saturating_sub(1);
                    let info_col = text[fence_start..]
                        .find(|c: char| c != '`' && c != '~')
                        .map(|i| line_of.col(fence_start + i))
                        .unwrap_or(1);
                    let first_line = first.map(|o| line_of.line(o)).unwrap_or(fence_line + 1);
                    parts.push(Part::Block(RoleBlock {
                        role,
                        yaml,
                        first_line,
                        indent: fence_indent,
                        fence_line,
                        fence_col: info_col,
                        span: range,
                    }));
                }
            }
            _ => {}
        }
    }
    Document {
        front_matter,
        unclosed_front_matter: unclosed,
        body: body.to_string(),
        parts,
    }
}

fn role_of(info: &str) -> Option<Role> {
    let mut words = info.split_whitespace();
    let lang = words.next()?;
    if lang != "yaml" && lang != "yml" {
        return None;
    }
    let role = words.next()?;
    Some(match role {
        "stack" => Role::Stack,
        "check" => Role::Check,
        other => {
            // Only words that look like a misspelt role are reported; other annotations are
            // the author's business.
            super::diag::nearest(other, &["stack", "check"])?;
            Role::Unknown(other.to_string())
        }
    })
}

/// Returns the front matter, whether one was opened but not closed, and where the body starts.
///
/// pulldown-cmark finds the front matter: a YAML metadata block that opens the file. It
/// refuses two shapes that `lab` reported before it was used, so those keep a small check of
/// their own (see [`refused_front_matter`]).
fn front_matter(text: &str) -> (Option<FrontMatter>, bool, usize) {
    // Only the first block matters: a metadata block further down is not a front matter,
    // and the body is parsed again without this option (see [`split`]).
    let mut events =
        Parser::new_ext(text, Options::ENABLE_YAML_STYLE_METADATA_BLOCKS).into_offset_iter();
    if let Some((Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)), range)) =
        events.next()
        && range.start == 0
    {
        let mut yaml = String::new();
        for (event, range) in events {
            match event {
                Event::Text(t) => yaml.push_str(&t),
                // The block ends after the closing `---` (or `...`); the body starts on the
                // next line.
                Event::End(TagEnd::MetadataBlock(_)) => {
                    let front = FrontMatter {
                        yaml,
                        first_line: 2,
                    };
                    return (Some(front), false, next_line(text, range.end));
                }
                _ => {}
            }
        }
    }
    refused_front_matter(text)
}

/// A file that opens with `---` which pulldown-cmark did not take as a metadata block. It
/// refuses an unclosed block, but also a closed one whose first line is blank or closes it
/// (an empty front matter). `lab` reports those differently ("never closed" against "the
/// front matter is empty"), so the closing line is looked for here, by pulldown-cmark's rule.
fn refused_front_matter(text: &str) -> (Option<FrontMatter>, bool, usize) {
    let mut lines = text.split_inclusive('\n');
    let Some(open) = lines.next().filter(|l| is_delimiter(l, "---")) else {
        return (None, false, 0);
    };
    let mut offset = open.len();
    for line in lines {
        if is_delimiter(line, "---") || is_delimiter(line, "...") {
            let front = FrontMatter {
                yaml: text[open.len()..offset].to_string(),
                first_line: 2,
            };
            return (Some(front), false, offset + line.len());
        }
        offset += line.len();
    }
    (None, true, 0)
}

/// `line` is the delimiter, unindented, with nothing after it but spaces.
fn is_delimiter(line: &str, delimiter: &str) -> bool {
    line.strip_prefix(delimiter).is_some_and(|rest| {
        rest.trim_end_matches(['\n', '\r'])
            .trim_end_matches(' ')
            .is_empty()
    })
}

/// The offset of the line after the one `offset` is on.
fn next_line(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// Byte offset → line and column, in O(log n).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    fn line_idx(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.line_idx(offset) + 1).unwrap_or(u32::MAX)
    }

    fn col(&self, offset: usize) -> u32 {
        let start = self.starts[self.line_idx(offset)];
        let end = offset.min(self.text.len());
        let chars = self
            .text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        u32::try_from(chars + 1).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_tasks_and_blocks() {
        let text = "---\ntitle: T\n---\n\n# Lab\n\n```yaml stack\nservices: {}\n```\n\n## Task `one`\n\n- item\n\n  ```yaml check\n  id: a\n  ```\n";
        let doc = split(text);
        assert_eq!(
            doc.front_matter.as_ref().map(|f| f.yaml.as_str()),
            Some("title: T\n")
        );
        assert_eq!(doc.parts.len(), 3);
        match &doc.parts[0] {
            Part::Block(b) => {
                assert_eq!(b.role, Role::Stack);
                assert_eq!(b.first_line, 8);
                assert_eq!(b.indent, 0);
                assert_eq!(
                    &doc.body[b.span.clone()],
                    "```yaml stack\nservices: {}\n```"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            doc.parts[1],
            Part::Heading(Heading {
                title: "Task one".into(),
                line: 11,
                span: 40..54,
            })
        );
        assert_eq!(&doc.body[40..54], "## Task `one`\n");
        match &doc.parts[2] {
            Part::Block(b) => {
                assert_eq!(b.role, Role::Check);
                assert_eq!(b.yaml, "id: a\n");
                assert_eq!(b.first_line, 16);
                assert_eq!(b.indent, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unclosed_front_matter() {
        let doc = split("---\ntitle: x\n# no end\n");
        assert!(doc.unclosed_front_matter);
        assert!(doc.front_matter.is_none());
    }

    #[test]
    fn front_matter_closings_and_line_endings() {
        let doc = split("---\r\ntitle: x\r\n...  \r\n\r\n# Lab\r\n");
        assert_eq!(
            doc.front_matter.map(|f| f.yaml).as_deref(),
            Some("title: x\n")
        );
        assert_eq!(doc.body, "\r\n# Lab\r\n");
        let doc = split("---\ntitle: x\n---");
        assert_eq!(doc.body, "");
    }

    #[test]
    fn front_matter_that_pulldown_refuses_is_still_found() {
        // An empty front matter is reported as empty, not as unclosed or missing.
        let doc = split("---\n---\n# Lab\n");
        assert_eq!(doc.front_matter.map(|f| f.yaml).as_deref(), Some(""));
        assert_eq!(doc.body, "# Lab\n");
        let doc = split("---\n\ntitle: x\n---\nbody\n");
        assert_eq!(
            doc.front_matter.map(|f| f.yaml).as_deref(),
            Some("\ntitle: x\n")
        );
        assert_eq!(doc.body, "body\n");
        assert!(split("---").unclosed_front_matter);
    }

    #[test]
    fn a_metadata_block_in_the_body_is_markdown() {
        let doc = split("# Lab\n\n---\na: b\n---\n");
        assert!(doc.front_matter.is_none() && !doc.unclosed_front_matter);
        let doc = split("---\ntitle: x\n---\n\n---\n```yaml check\nid: a\n```\n---\n");
        assert_eq!(doc.parts.len(), 1, "the check between two rules is found");
    }

    #[test]
    fn misspelt_role_is_kept_other_words_ignored() {
        let doc = split("```yaml chekc\nid: x\n```\n```yaml title=\"a\"\nx: 1\n```\n");
        assert_eq!(doc.parts.len(), 1);
    }
}
