//! Answers written as a Markdown table, `| passphrase | copper-kettle |`: a key column
//! and a value column.

/// Value-column headings of a table's header row (`| key | value |`). Only a row above the
/// `|---|---|` line with one of these is a header: a student may put an answer there too.
const HEADINGS: &[&str] = &["value", "values", "answer", "answers", "your answer"];

/// The cells of a table row (`| a | b |`), `None` when the line is no row. A `\|` is a
/// pipe inside a cell.
pub fn cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?;
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    // A row need not close with `|`.
    if !cell.trim().is_empty() {
        cells.push(cell.trim().to_string());
    }
    Some(cells)
}

/// The line under a table's header: `|---|:---:|`.
pub fn is_rule(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells.iter().all(|c| {
            let dashes = c.trim_matches(':');
            !dashes.is_empty() && dashes.chars().all(|ch| ch == '-')
        })
}

/// Whether a row above a rule is the header of a key–value table, not an answer.
pub fn is_heading(cells: &[String]) -> bool {
    let value = cells.get(1).map(|c| {
        c.trim_matches(super::read::DECORATION)
            .trim()
            .to_lowercase()
    });
    value.is_some_and(|v| HEADINGS.contains(&v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::kinds::answer::read::lines_for;

    fn value_of(text: &str, key: &str) -> Option<String> {
        lines_for(text, key).into_iter().next().map(|l| l.value)
    }

    #[test]
    fn rows_rules_and_headings() {
        let row = |l: &str| cells(l).unwrap_or_default();
        assert_eq!(
            row("| passphrase | copper-kettle |"),
            ["passphrase", "copper-kettle"]
        );
        assert_eq!(
            row("|passphrase|copper-kettle"),
            ["passphrase", "copper-kettle"]
        );
        assert_eq!(row(r"| cmd | a \| b |"), ["cmd", "a | b"]);
        assert_eq!(cells("passphrase: x"), None);
        assert!(is_rule(&row("|---|:---:|")));
        assert!(is_rule(&row("| --- | --- |")));
        assert!(!is_rule(&row("| - | x |")));
        assert!(is_heading(&row("| Key | **Answer** |")));
        assert!(!is_heading(&row("| passphrase | copper-kettle |")));
    }

    #[test]
    fn table_rows_give_keys() {
        let text = "| Key | Answer |\n| --- | --- |\n| **passphrase** | `copper-kettle` |\n\
                    | id: | 4f2a9c1b7e3d |\n|ip|10.0.0.2\n| kernel | |\n| a | b | c |\n";
        assert_eq!(
            value_of(text, "passphrase").as_deref(),
            Some("copper-kettle")
        );
        assert_eq!(value_of(text, "id").as_deref(), Some("4f2a9c1b7e3d"));
        assert_eq!(value_of(text, "ip").as_deref(), Some("10.0.0.2"));
        assert_eq!(value_of(text, "kernel").as_deref(), Some(""));
        assert_eq!(value_of(text, "key"), None);
        assert_eq!(value_of(text, "a"), None);
        // A header row that is an answer, and a row that is not above a rule, are read.
        let text = "| passphrase | copper-kettle |\n|---|---|\n| key | value |\n";
        assert_eq!(
            value_of(text, "passphrase").as_deref(),
            Some("copper-kettle")
        );
        assert_eq!(value_of(text, "key").as_deref(), Some("value"));
        assert_eq!(
            value_of("> | passphrase: x |", "passphrase").as_deref(),
            Some("x")
        );
        assert_eq!(value_of("|---|---|", "---"), None);
    }
}
