//! Inline text as words that are never broken, and the greedy fill that lays them out in
//! the terminal's width. A word is what lies between spaces, with its punctuation and any
//! code span or emphasis glued to it; a code span is one word however many spaces it holds.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::ui::Style;
use crate::ui::style::width;

/// A piece of laid-out text: a word (styled, and how many columns it takes) or a hard break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word { text: String, width: usize },
    Break,
}

/// Words being gathered; the last one stays open until a space ends it.
#[derive(Debug, Default)]
pub struct Inline {
    tokens: Vec<Token>,
    open: Option<(String, usize)>,
}

impl Inline {
    /// Text that may break at its spaces (ASCII white space only: a no-break space holds).
    pub fn text(&mut self, text: &str, paint: impl Fn(&str) -> String) {
        let mut run = String::new();
        for c in text.chars() {
            if c.is_ascii_whitespace() {
                self.glue(&run, &paint);
                run.clear();
                self.space();
            } else {
                run.push(c);
            }
        }
        self.glue(&run, &paint);
    }

    /// Text that is never broken (a code span), glued to the word before it.
    pub fn atom(&mut self, plain: &str, styled: String) {
        let open = self.open.get_or_insert_with(Default::default);
        open.0.push_str(&styled);
        open.1 += width(plain);
    }

    fn glue(&mut self, plain: &str, paint: &impl Fn(&str) -> String) {
        if !plain.is_empty() {
            self.atom(plain, paint(plain));
        }
    }

    /// End the open word.
    pub fn space(&mut self) {
        if let Some((text, width)) = self.open.take() {
            self.tokens.push(Token::Word { text, width });
        }
    }

    pub fn hard_break(&mut self) {
        self.space();
        self.tokens.push(Token::Break);
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.open.is_none()
    }

    pub fn take(&mut self) -> Vec<Token> {
        self.space();
        std::mem::take(&mut self.tokens)
    }
}

/// The words on one line, separated by single spaces.
pub fn join(tokens: &[Token]) -> (String, usize) {
    let mut text = String::new();
    let mut cols = 0;
    for t in tokens {
        if let Token::Word { text: w, width } = t {
            if !text.is_empty() {
                text.push(' ');
                cols += 1;
            }
            text.push_str(w);
            cols += width;
        }
    }
    (text, cols)
}

/// Lay words out in `columns`: the first line after `first`, the others after `rest`. A
/// word wider than a line gets a line of its own and runs over; it is never cut.
pub fn fill(tokens: &[Token], columns: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut used = width(first);
    let mut empty = true;
    for t in tokens {
        match t {
            Token::Break => {
                lines.push(line);
                line = rest.to_string();
                used = width(rest);
                empty = true;
            }
            Token::Word { text, width: w } => {
                if !empty && used + 1 + w > columns {
                    lines.push(line);
                    line = rest.to_string();
                    used = width(rest);
                    empty = true;
                }
                if !empty {
                    line.push(' ');
                    used += 1;
                    line.push_str(text);
                    used += w;
                } else if let Some(unspaced) = text.strip_prefix(' ') {
                    // A word set off by an extra space (points after a title) starting a line.
                    line.push_str(unspaced);
                    used += w.saturating_sub(1);
                } else {
                    line.push_str(text);
                    used += w;
                }
                empty = false;
            }
        }
    }
    lines.push(line);
    lines
}

/// How inline text is painted: the block's own look (a heading, a table's header) under
/// emphasis and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Base {
    #[default]
    Plain,
    Title,
    Section,
    Minor,
    Header,
}

/// The inline events of a block (text, code, emphasis, links) turned into words.
pub struct Inlines {
    pub style: Style,
    pub base: Base,
    emphasis: usize,
    strong: usize,
    /// Open links: their destination and the text they show so far.
    links: Vec<(String, String)>,
}

impl Inlines {
    pub fn new(style: Style) -> Self {
        Inlines {
            style,
            base: Base::Plain,
            emphasis: 0,
            strong: 0,
            links: Vec::new(),
        }
    }

    /// Take `event` into `inline` when it is inline content; `false` for anything else.
    pub fn event(&mut self, event: &Event, inline: &mut Inline) -> bool {
        match event {
            Event::Text(t) => {
                if let Some((_, shown)) = self.links.last_mut() {
                    shown.push_str(t);
                }
                inline.text(t, |s| self.paint(s));
            }
            Event::Code(t) => {
                if let Some((_, shown)) = self.links.last_mut() {
                    shown.push_str(t);
                }
                inline.atom(&code(Style::PLAIN, t), self.code(t));
            }
            Event::Start(Tag::Emphasis) => self.emphasis += 1,
            Event::End(TagEnd::Emphasis) => self.emphasis = self.emphasis.saturating_sub(1),
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.links.push((dest_url.to_string(), String::new()))
            }
            Event::End(TagEnd::Link) => {
                // The destination follows the text, unless the text already is it (an
                // autolink) or it points inside the page.
                if let Some((dest, shown)) = self.links.pop() {
                    let same = shown == dest || format!("mailto:{shown}") == dest;
                    if !same && !dest.is_empty() && !dest.starts_with('#') {
                        inline.space();
                        let url = format!("({dest})");
                        inline.atom(&url, self.style.dim(&url));
                    }
                }
            }
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            Event::SoftBreak => inline.space(),
            Event::HardBreak => inline.hard_break(),
            // Comments are for authors; a <br> breaks the line; other HTML shows as written.
            Event::InlineHtml(h) => {
                let tag = h.trim().to_ascii_lowercase();
                if tag.starts_with("<br") {
                    inline.hard_break();
                } else if !tag.starts_with("<!--") {
                    inline.atom(h, h.to_string());
                }
            }
            _ => return false,
        }
        true
    }

    fn paint(&self, s: &str) -> String {
        let style = self.style;
        let mut out = match self.base {
            Base::Plain => s.to_string(),
            Base::Title => style.bold(&style.underline(s)),
            Base::Section => style.bold(&style.cyan(s)),
            Base::Minor | Base::Header => style.bold(s),
        };
        if self.emphasis > 0 {
            out = style.italic(&out);
        }
        if self.strong > 0 {
            out = style.bold(&out);
        }
        out
    }

    fn code(&self, s: &str) -> String {
        let style = self.style;
        match self.base {
            Base::Plain => code(style, s),
            // A section heading is cyan itself: its code takes another colour.
            Base::Section if style.color => style.bold(&style.yellow(s)),
            _ => style.bold(&code(style, s)),
        }
    }
}

/// Inline code: coloured, or between backticks when there is no colour, so that it stands
/// out either way (and reads as Markdown when copied).
pub fn code(style: Style, s: &str) -> String {
    if style.color {
        style.cyan(s)
    } else if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Token> {
        let mut i = Inline::default();
        i.text(text, str::to_string);
        i.take()
    }

    #[test]
    fn fills_greedily_and_never_cuts_a_word() {
        let lines = fill(&words("aaa bbb ccc dddddddddddd e"), 10, "- ", "  ");
        assert_eq!(lines, ["- aaa bbb", "  ccc", "  dddddddddddd", "  e"]);
    }

    #[test]
    fn a_code_span_is_one_word_glued_to_its_punctuation() {
        let mut i = Inline::default();
        i.text("run ", str::to_string);
        i.atom("`docker ps -a`", "`docker ps -a`".into());
        i.text(", then", str::to_string);
        let lines = fill(&i.take(), 12, "", "");
        assert_eq!(lines, ["run", "`docker ps -a`,", "then"]);
    }

    #[test]
    fn widths_ignore_colour() {
        let style = Style { color: true };
        let mut i = Inline::default();
        i.text("ab cd", |s| style.red(s));
        assert_eq!(fill(&i.take(), 5, "", "").len(), 1);
    }
}
