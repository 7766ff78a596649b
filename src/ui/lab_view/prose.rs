//! A lab's prose as terminal text: headings, paragraphs and list items wrapped at the
//! terminal's width (continuation lines under the item's text), nested lists under their
//! parent's text, tables aligned, code blocks verbatim.

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::Out;
use super::inline::{Base, Inline, Inlines, fill};
use super::table::Table;
use crate::ui::style;

/// What encloses the text being written, outermost first: each gives its lines a prefix.
enum Container {
    Quote {
        /// Blocks written in the quote so far.
        blocks: usize,
    },
    List {
        /// The next number of an ordered list, and how wide its markers are.
        number: Option<(u64, usize)>,
        depth: usize,
        items: usize,
        /// Items hold paragraphs (blank lines between them in the source).
        loose: bool,
    },
    Item {
        /// The bullet or number, until the item's first line is written.
        marker: Option<String>,
        width: usize,
        /// Blocks written in the item so far.
        blocks: usize,
    },
}

/// Renders one text part's events.
pub struct Prose<'o> {
    out: &'o mut Out,
    inlines: Inlines,
    inline: Inline,
    containers: Vec<Container>,
    code: Option<String>,
    html: Option<String>,
    table: Option<Table>,
}

impl<'o> Prose<'o> {
    pub fn new(out: &'o mut Out) -> Self {
        let inlines = Inlines::new(out.style);
        Prose {
            out,
            inlines,
            inline: Inline::default(),
            containers: Vec::new(),
            code: None,
            html: None,
            table: None,
        }
    }

    pub fn render(&mut self, events: &[Event]) {
        for (i, event) in events.iter().enumerate() {
            if let Some(code) = self.code.as_mut() {
                match event {
                    Event::Text(t) => code.push_str(t),
                    Event::End(TagEnd::CodeBlock) => self.code_block(),
                    _ => {}
                }
                continue;
            }
            if let Some(html) = self.html.as_mut() {
                match event {
                    Event::Html(t) | Event::Text(t) => html.push_str(t),
                    Event::End(TagEnd::HtmlBlock) => self.html_block(),
                    _ => {}
                }
                continue;
            }
            if self.inlines.event(event, &mut self.inline) {
                continue;
            }
            self.block_event(event, &events[i..]);
        }
        self.flush();
    }

    fn block_event(&mut self, event: &Event, rest: &[Event]) {
        match event {
            Event::Start(Tag::Paragraph) => {
                if let Some(Container::List { loose, .. }) = self.parent_list() {
                    *loose = true;
                }
                self.block_start();
            }
            Event::End(TagEnd::Paragraph) => self.flush(),
            Event::Start(Tag::Heading { level, .. }) => {
                self.block_start();
                self.inlines.base = match level {
                    HeadingLevel::H1 => Base::Title,
                    // Task headings are parts of their own; a `## ` section in the prose
                    // has no checks, and so no number (LAB_FORMAT v1.1).
                    HeadingLevel::H2 => Base::Section,
                    _ => Base::Minor,
                };
            }
            Event::End(TagEnd::Heading(_)) => {
                self.flush();
                self.inlines.base = Base::Plain;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.block_start();
                self.containers.push(Container::Quote { blocks: 0 });
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush();
                self.containers.pop();
            }
            Event::Start(Tag::List(first)) => {
                let in_item = matches!(self.containers.last(), Some(Container::Item { .. }));
                // A list right under its item's text (a tight list) follows it closely.
                if !in_item || self.inline.is_empty() {
                    self.block_start();
                }
                self.flush();
                let depth = self
                    .containers
                    .iter()
                    .filter(|c| matches!(c, Container::List { .. }))
                    .count();
                let number = first.map(|n| {
                    let last = n.saturating_add(items_in(rest).saturating_sub(1) as u64);
                    (n, last.to_string().len())
                });
                self.containers.push(Container::List {
                    number,
                    depth,
                    items: 0,
                    loose: false,
                });
            }
            Event::End(TagEnd::List(_)) => {
                self.flush();
                self.containers.pop();
            }
            Event::Start(Tag::Item) => self.item(),
            Event::End(TagEnd::Item) => {
                self.flush();
                if let Some(Container::Item {
                    marker: Some(_), ..
                }) = self.containers.last()
                {
                    // An empty item still shows its bullet.
                    let (first, _) = self.prefixes();
                    self.out.line(&first);
                }
                self.containers.pop();
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.block_start();
                self.code = Some(String::new());
            }
            Event::Start(Tag::HtmlBlock) => {
                self.flush();
                self.html = Some(String::new());
            }
            Event::Start(Tag::Table(align)) => {
                self.block_start();
                self.table = Some(Table {
                    align: align.clone(),
                    rows: Vec::new(),
                });
            }
            Event::Start(Tag::TableHead) => {
                self.inlines.base = Base::Header;
                self.new_row();
            }
            Event::End(TagEnd::TableHead) => self.inlines.base = Base::Plain,
            Event::Start(Tag::TableRow) => self.new_row(),
            Event::End(TagEnd::TableCell) => {
                let cell = self.inline.take();
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(cell);
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(table) = self.table.take() {
                    let (_, rest) = self.prefixes();
                    for line in table.lines(self.out.style) {
                        self.out.line(&format!("{rest}  {line}"));
                    }
                }
            }
            Event::Rule => {
                self.block_start();
                let (first, _) = self.prefixes();
                let room = self.out.width.saturating_sub(style::width(&first));
                let rule = self.out.style.dim(&"─".repeat(room.clamp(1, 40)));
                self.out.line(&format!("{first}{rule}"));
            }
            // Block HTML outside an HTML block (pulldown-cmark gives it inside one).
            Event::Html(h) => {
                self.html = Some(h.to_string());
                self.html_block();
            }
            _ => {}
        }
    }

    fn parent_list(&mut self) -> Option<&mut Container> {
        let n = self.containers.len();
        if n >= 2 && matches!(self.containers[n - 1], Container::Item { .. }) {
            self.containers.get_mut(n - 2)
        } else {
            None
        }
    }

    fn new_row(&mut self) {
        self.inline.take();
        if let Some(t) = self.table.as_mut() {
            t.rows.push(Vec::new());
        }
    }

    fn item(&mut self) {
        self.flush();
        let Some(Container::List {
            number,
            depth,
            items,
            loose,
        }) = self.containers.last_mut()
        else {
            return;
        };
        let gap = *loose && *items > 0;
        *items += 1;
        let marker = match number {
            Some((n, width)) => {
                let m = format!("{n:>width$}. ", width = *width);
                *n = n.saturating_add(1);
                m
            }
            None => format!("{} ", ["•", "◦", "▪"][*depth % 3]),
        };
        let width = crate::ui::style::width(&marker);
        if gap {
            self.out.blank();
        }
        self.containers.push(Container::Item {
            marker: Some(marker),
            width,
            blocks: 0,
        });
    }

    /// Before a block: a blank line between blocks, except at the start of a list item.
    fn block_start(&mut self) {
        self.flush();
        match self.containers.last_mut() {
            Some(Container::Item { blocks, .. }) => {
                if *blocks > 0 {
                    self.out.blank();
                }
                *blocks += 1;
            }
            Some(Container::List { .. }) => {}
            Some(Container::Quote { blocks }) => {
                // The blank line between two blocks of a quote keeps its bar.
                *blocks += 1;
                if *blocks > 1 {
                    let (_, rest) = self.prefixes();
                    self.out.line(&rest);
                }
            }
            None => self.out.blank(),
        }
    }

    /// Write the words gathered so far, wrapped, under the current prefixes.
    fn flush(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        let tokens = self.inline.take();
        let (first, rest) = self.prefixes();
        for line in fill(&tokens, self.out.width, &first, &rest) {
            self.out.line(&line);
        }
    }

    /// The prefix of the next line and of those after it; a pending item marker goes on
    /// the next line, and only there.
    fn prefixes(&mut self) -> (String, String) {
        let style = self.out.style;
        let (mut first, mut rest) = (String::new(), String::new());
        for c in &mut self.containers {
            match c {
                Container::Quote { .. } => {
                    let bar = style.dim("│ ");
                    first.push_str(&bar);
                    rest.push_str(&bar);
                }
                // Lists stand out from the text around them.
                Container::List { depth: 0, .. } => {
                    first.push_str("  ");
                    rest.push_str("  ");
                }
                Container::List { .. } => {}
                Container::Item { marker, width, .. } => {
                    match marker.take() {
                        Some(m) => first.push_str(&m),
                        None => first.push_str(&" ".repeat(*width)),
                    }
                    rest.push_str(&" ".repeat(*width));
                }
            }
        }
        (first, rest)
    }

    /// A code block as written, indented, never wrapped.
    fn code_block(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let style = self.out.style;
        for line in code.lines() {
            let (first, _) = self.prefixes();
            if line.trim().is_empty() {
                self.out.line(&first);
            } else {
                self.out.line(&format!("{first}    {}", style.cyan(line)));
            }
        }
    }

    /// An HTML block as written; a comment is for authors and not shown.
    fn html_block(&mut self) {
        let html = self.html.take().unwrap_or_default();
        let trimmed = html.trim();
        if trimmed.is_empty() || (trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
            return;
        }
        self.block_start();
        for line in html.lines() {
            let (first, _) = self.prefixes();
            self.out.line(&format!("{first}{line}"));
        }
    }
}

/// How many items the list that `rest` opens holds (for the width of its numbers).
fn items_in(rest: &[Event]) -> usize {
    let mut depth = 0usize;
    let mut items = 0;
    for event in rest {
        match event {
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Event::Start(Tag::Item) if depth == 1 => items += 1,
            _ => {}
        }
    }
    items
}
