//! Diagnostics: what is wrong with a course file, and exactly where.
//!
//! Every mistake becomes one [`Diagnostic`] with the file, line and column of the offending
//! node. The first line of its rendering is the contract (`file:line:col: message`), which
//! editors and CI parse; below it a snippet of the source (drawn by miette) for people.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use super::yaml::Pos;

/// How much a diagnostic matters: errors stop the course from running, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

/// One mistake in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// As shown to the user: relative to the course root when inside it.
    pub file: PathBuf,
    /// 1-based; `None` when the mistake is about the file as a whole (missing, unreadable).
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub message: String,
    /// "did you mean ..." and the like, shown in parentheses after the message.
    pub suggestion: Option<String>,
    /// A longer note on how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn at(file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: Some(pos.line.max(1)),
            col: Some(pos.col.max(1)),
            message: message.into(),
            suggestion: None,
            help: None,
        }
    }

    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: None,
            col: None,
            message: message.into(),
            suggestion: None,
            help: None,
        }
    }

    /// The same, as a warning: shown, but lint still passes.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn suggest(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col: message (suggestion)` — the one line editors and CI read.
    pub fn headline(&self) -> String {
        let mut s = self.file.display().to_string();
        if let (Some(l), Some(c)) = (self.line, self.col) {
            s.push_str(&format!(":{l}:{c}"));
        }
        s.push_str(": ");
        // As compilers write it, so editors and CI tell the two apart.
        if self.severity == Severity::Warning {
            s.push_str("warning: ");
        }
        s.push_str(&self.message);
        if let Some(sugg) = &self.suggestion {
            s.push_str(&format!(" ({sugg})"));
        }
        s
    }

    /// The headline, then (when the source is given) a snippet pointing at the place.
    pub fn render(&self, source: Option<&str>, color: bool) -> String {
        let mut out = self.headline();
        out.push('\n');
        if let (Some(src), Some(line), Some(col)) = (source, self.line, self.col) {
            let offset = byte_offset(src, line, col);
            let report = Snippet {
                message: self.message.clone(),
                help: self.help.clone(),
                span: SourceSpan::from((offset, 0)),
                label: self.suggestion.clone().unwrap_or_else(|| "here".into()),
                src: NamedSource::new(self.file.display().to_string(), src.to_string()),
            };
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let handler = GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_context_lines(1)
                .without_cause_chain();
            let mut snippet = String::new();
            if !src.trim().is_empty() && handler.render_report(&mut snippet, &report).is_ok() {
                // miette repeats the message as a header; our headline already said it.
                let body = snippet.lines().skip_while(|l| !l.contains("╭─["));
                for l in body {
                    out.push_str(l.trim_end());
                    out.push('\n');
                }
            } else if let Some(help) = &self.help {
                out.push_str(&format!("  help: {help}\n"));
            }
        } else if let Some(help) = &self.help {
            out.push_str(&format!("  help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())
    }
}

/// The byte offset of a 1-based line and (character) column, clamped to the text.
pub fn byte_offset(src: &str, line: u32, col: u32) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let chars = l.char_indices().nth(col.saturating_sub(1) as usize);
            return offset
                + chars
                    .map(|(b, _)| b)
                    .unwrap_or(l.trim_end_matches('\n').len());
        }
        offset += l.len();
    }
    src.len()
}

#[derive(Debug)]
struct Snippet {
    message: String,
    help: Option<String>,
    span: SourceSpan,
    label: String,
    src: NamedSource<String>,
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet {}

impl miette::Diagnostic for Snippet {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// Every mistake found while loading, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// How many are errors (warnings do not fail a lint).
    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.len() - self.errors()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sort by file, then position, and drop exact repeats.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message))
        });
        self.0.dedup();
    }

    /// Render every diagnostic, reading each file's text once (from `root`) for snippets.
    pub fn render(&self, root: &Path, color: bool) -> String {
        let mut out = String::new();
        let mut cache: Option<(PathBuf, Option<String>)> = None;
        for d in &self.0 {
            if cache.as_ref().map(|(p, _)| p != &d.file).unwrap_or(true) {
                let full = if d.file.is_absolute() {
                    d.file.clone()
                } else {
                    root.join(&d.file)
                };
                let text = std::fs::read(&full)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                cache = Some((d.file.clone(), text));
            }
            let src = cache.as_ref().and_then(|(_, t)| t.as_deref());
            out.push_str(&d.render(src, color));
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{}", d.headline())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// The nearest known word, for "did you mean" (only when it is close enough to help).
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    known
        .iter()
        .filter(|k| !other_number(&w, k))
        .map(|k| (strsim::damerau_levenshtein(&w, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len().max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// `week5` and `week1`: the same word with another number is not a typo of it (a number
/// is typed on purpose), so it is not suggested.
fn other_number(a: &str, b: &str) -> bool {
    let letters = |s: &str| -> String { s.chars().filter(|c| !c.is_ascii_digit()).collect() };
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    letters(a) == letters(b) && digits(a) != digits(b) && !digits(a).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        let s = "ab\ncdé\nf";
        assert_eq!(byte_offset(s, 1, 1), 0);
        assert_eq!(byte_offset(s, 2, 3), 5);
        assert_eq!(byte_offset(s, 2, 4), 7);
        assert_eq!(byte_offset(s, 3, 1), 8);
        assert_eq!(byte_offset(s, 9, 1), s.len());
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            nearest("helthcheck", &["healthcheck", "image"]),
            Some("healthcheck")
        );
        assert_eq!(nearest("imgae", &["healthcheck", "image"]), Some("image"));
        assert_eq!(nearest("week5", &["week1", "week2"]), None);
        assert_eq!(nearest("wek2", &["week1", "week2"]), Some("week2"));
        assert_eq!(nearest("zzz", &["healthcheck", "image"]), None);
    }
}
