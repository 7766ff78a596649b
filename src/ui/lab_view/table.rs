//! A Markdown table for the terminal: columns padded to their widest cell and aligned as
//! the delimiter row says (`:---`, `:---:`, `---:`), a rule under the header. Cells are not
//! wrapped: a table keeps its rows on one line each.

use pulldown_cmark::Alignment;

use super::inline::{Token, join};
use crate::ui::Style;

/// Rows of cells (the header first), each cell its words.
#[derive(Debug, Default)]
pub struct Table {
    pub align: Vec<Alignment>,
    pub rows: Vec<Vec<Vec<Token>>>,
}

impl Table {
    /// The lines, without the indentation the caller adds.
    pub fn lines(&self, style: Style) -> Vec<String> {
        let cols = self
            .align
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let cells: Vec<Vec<(String, usize)>> = self
            .rows
            .iter()
            .map(|row| {
                (0..cols)
                    .map(|i| row.get(i).map(|c| join(c)).unwrap_or_default())
                    .collect()
            })
            .collect();
        let mut widths = vec![0; cols];
        for row in &cells {
            for (i, (_, w)) in row.iter().enumerate() {
                widths[i] = widths[i].max(*w);
            }
        }
        let mut lines = Vec::new();
        for (r, row) in cells.iter().enumerate() {
            let mut line = String::new();
            for (i, (text, w)) in row.iter().enumerate() {
                let pad = widths[i] - w;
                let (before, after) = match self.align.get(i) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(&" ".repeat(before));
                line.push_str(text);
                line.push_str(&" ".repeat(after));
            }
            lines.push(line.trim_end().to_string());
            if r == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                lines.push(style.dim(&rule.join("  ")));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> Vec<Token> {
        s.split(' ')
            .map(|w| Token::Word {
                text: w.into(),
                width: w.len(),
            })
            .collect()
    }

    #[test]
    fn columns_align_as_the_delimiter_row_says() {
        let t = Table {
            align: vec![Alignment::Left, Alignment::Center, Alignment::Right],
            rows: vec![
                vec![cell("name"), cell("mid"), cell("n")],
                vec![cell("a"), cell("b"), cell("1")],
                vec![cell("long one"), cell("wide cell"), cell("100")],
            ],
        };
        assert_eq!(
            t.lines(Style::PLAIN),
            [
                "name         mid       n",
                "────────  ─────────  ───",
                "a             b        1",
                "long one  wide cell  100",
            ]
        );
    }
}
