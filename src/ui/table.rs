//! Plain aligned columns (no borders: easy to read, easy to grep). Widths ignore colour
//! escapes, so coloured cells line up.

/// Render rows under a header; columns are padded to the widest cell.
pub fn render(header: &[&str], rows: &[Vec<String>], style: super::Style) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, cell) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            l.push_str(c);
            if i + 1 < cells.len() {
                l.push_str(&" ".repeat(widths[i].saturating_sub(width(c)) + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let head_line = {
        let mut s = String::new();
        line(head, &mut s);
        s
    };
    out.push_str(&style.bold(head_line.trim_end()));
    out.push('\n');
    for r in rows {
        line(r.clone(), &mut out);
    }
    out
}

use super::style::width;
