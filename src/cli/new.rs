//! `lab new ID`: scaffold a lab and its reference solution, and list it in course.yaml.

use std::path::Path;

use super::Global;
use crate::course::yaml::{self, Node, Pos, Value};
use crate::course::{LoadOptions, find_course_root, load_lab};
use crate::exit;
use crate::ui::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new lab's id: its folder name (kebab-case, e.g. week5 or health-checks).
    id: String,
    /// The lab's title.
    #[arg(long)]
    title: Option<String>,
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let id = args.id.trim().to_string();
    if !crate::course::decode::is_kebab(&id) {
        output::err(&format!(
            "error: \"{id}\" is not a lab id: use lowercase letters, digits and dashes (e.g. week5)\n"
        ));
        return Err(super::CliError::Reported(exit::INVALID_INPUT));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = match find_course_root(global.course.as_deref(), &cwd) {
        Ok(r) => r,
        Err(d) => {
            output::err(&d.render(None, false));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    };
    let lab_dir = root.join("labs").join(&id);
    let solution_dir = root.join("solutions").join(&id);
    for existing in [&lab_dir, &solution_dir] {
        if existing.exists() {
            output::err(&format!(
                "error: {} already exists; nothing was written\n",
                existing.display()
            ));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    }
    let title = args.title.unwrap_or_else(|| format!("Lab {id}"));
    let course_yaml = root.join("labs/course.yaml");
    let listed = match std::fs::read_to_string(&course_yaml).map(|t| add_to_course(&t, &id)) {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            output::err(&format!("error: {e}; nothing was written\n"));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
        Err(e) => {
            output::err(&format!(
                "error: could not read {}: {e}\n",
                course_yaml.display()
            ));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    };
    let io = |e: std::io::Error| {
        super::CliError::Environment(format!("could not write the new lab: {e}"))
    };
    write(&lab_dir.join("README.md"), &readme(&id, &title)).map_err(io)?;
    let solve = solution_dir.join("solve.sh");
    write(&solve, &solution(&id)).map_err(io)?;
    let executable = crate::platform::make_executable(&solve).map_err(io)?;
    // Prove the scaffold is a valid lab before touching the course's list.
    if let Err(d) = load_lab(&lab_dir, &root, &LoadOptions::default()) {
        output::err(&format!("internal error: the scaffold does not lint:\n{d}"));
        return Err(super::CliError::Reported(exit::INVALID_INPUT));
    }
    std::fs::write(&course_yaml, listed).map_err(io)?;
    output::out(&format!(
        "created labs/{id}/README.md and solutions/{id}/solve.sh, and listed {id} in labs/course.yaml\n\
         next: edit the lab, then `lab lint labs/{id}` and `lab verify {id}`\n"
    ));
    if !executable {
        // Windows has no executable bit; lab runs solve.sh with sh, so it needs none, but a
        // unix user running ./solve.sh from the course's repository would.
        output::out(&format!(
            "note: solutions/{id}/solve.sh is not marked executable (Windows has no such bit); \
             `git add --chmod=+x solutions/{id}/solve.sh` marks it so in git\n"
        ));
    }
    Ok(exit::OK)
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Add `id` to the `labs:` list of course.yaml's `text`. The file is parsed, and the id is
/// spliced in after the list's last item, so comments and layout stay as written: a flow
/// list `[a, b]` becomes `[a, b, id]`, a block list gets a `- id` line indented like its
/// items. An id already listed leaves the text as it is.
pub fn add_to_course(text: &str, id: &str) -> Result<String, String> {
    let root = yaml::parse(text).map_err(|e| match e.pos {
        Some(p) => format!("labs/course.yaml is not valid YAML ({p}: {})", e.message),
        None => format!("labs/course.yaml is not valid YAML ({})", e.message),
    })?;
    let labs = labs_node(&root).ok_or("labs/course.yaml has no `labs:` list")?;
    let Some(items) = labs.as_seq() else {
        return Err(format!(
            "`labs:` in labs/course.yaml at {} is {}, not a list of lab folders",
            labs.pos,
            labs.kind_name()
        ));
    };
    if let Some(item) = items.iter().find(|i| i.scalar_text().is_none()) {
        return Err(format!(
            "`labs:` in labs/course.yaml holds {} at {}; it should list lab folders",
            item.kind_name(),
            item.pos
        ));
    }
    if items.iter().any(|i| i.scalar_text().as_deref() == Some(id)) {
        return Ok(text.to_string());
    }
    let lines = Lines::new(text);
    let start = lines
        .offset(labs.pos)
        .ok_or("could not locate `labs:` in labs/course.yaml")?;
    let entry = yaml_scalar(id);
    let out = if text[start..].starts_with('[') {
        splice_flow(text, start, &entry)?
    } else {
        let last = items.last().ok_or("`labs:` in labs/course.yaml is empty")?;
        splice_block(text, &lines, last.pos, &entry)?
    };
    // Never write a file that does not read back as the course plus the new lab.
    let listed = yaml::parse(&out)
        .ok()
        .as_ref()
        .and_then(labs_node)
        .map(lab_ids);
    let mut expected = lab_ids(labs);
    expected.push(id.to_string());
    if listed != Some(expected) {
        return Err("could not add the lab to `labs:` in labs/course.yaml without changing its meaning; add it by hand".into());
    }
    Ok(out)
}

/// The value of course.yaml's top-level `labs` key.
fn labs_node(root: &Node) -> Option<&Node> {
    root.as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some("labs"))
        .map(|(_, v)| v)
}

fn lab_ids(list: &Node) -> Vec<String> {
    list.as_seq()
        .map(|items| items.iter().filter_map(Node::scalar_text).collect())
        .unwrap_or_default()
}

/// A flow list: the id goes after the last item (or inside `[]`), before the closing `]`.
fn splice_flow(text: &str, open: usize, entry: &str) -> Result<String, String> {
    let (close, after_last) = flow_end(text, open)
        .ok_or("the `labs:` list in labs/course.yaml is never closed with `]`")?;
    let (at, insert) = if after_last == open + 1 {
        // Empty: `[]` or `[ ]` becomes `[id]`; a comment inside stays where it is.
        if text[open + 1..close].trim().is_empty() {
            return Ok(format!("{}{entry}{}", &text[..=open], &text[close..]));
        }
        (open + 1, entry.to_string())
    } else if text[..after_last].ends_with(',') {
        // A trailing comma stays a trailing comma.
        (after_last, format!(" {entry},"))
    } else {
        (after_last, format!(", {entry}"))
    };
    Ok(format!("{}{insert}{}", &text[..at], &text[at..]))
}

/// The `]` that closes the flow list opened at `open`, and where the last thing before it
/// that is neither space nor comment ends. Quotes, nested brackets and `#` comments are
/// skipped, so a `]` inside them does not count.
fn flow_end(text: &str, open: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut after_last = open + 1;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((i, after_last));
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                // `''` is a quote inside single quotes.
                while i < bytes.len() && (bytes[i] != b'\'' || bytes.get(i + 1) == Some(&b'\'')) {
                    i += if bytes[i] == b'\'' { 2 } else { 1 };
                }
            }
            b'#' if bytes[i - 1].is_ascii_whitespace() => {
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        // Past the byte (or the closing quote) just read; never inside a character, since
        // every byte of a multi-byte character passes here.
        after_last = (i + 1).min(bytes.len());
        i += 1;
    }
    None
}

/// A block list: a new `- id` line after the last item, with the items' indentation.
fn splice_block(text: &str, lines: &Lines, last: Pos, entry: &str) -> Result<String, String> {
    let item = lines
        .offset(last)
        .ok_or("could not locate the last lab of `labs:` in labs/course.yaml")?;
    let line_start = lines.start(last.line);
    let dash = text[line_start..item]
        .rfind('-')
        .map(|i| line_start + i)
        .ok_or("the `labs:` list in labs/course.yaml has no `-` before its last item")?;
    let indent = &text[line_start..dash];
    let dash_col = indent.chars().count();
    // After the last item's line and any lines that continue it (indented deeper); a
    // comment or a blank line after the list stays after it.
    let mut at = lines.end(last.line);
    let mut line = last.line + 1;
    while at < text.len() {
        let end = lines.end(line);
        let content = text[at..end].trim_end_matches(['\n', '\r']);
        let body = content.trim_start();
        let depth = content.chars().count() - body.chars().count();
        if body.is_empty() || body.starts_with('#') || depth <= dash_col {
            break;
        }
        at = end;
        line += 1;
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + indent.len() + entry.len() + 4);
    out.push_str(&text[..at]);
    if !text[..at].ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(&format!("{indent}- {entry}{newline}"));
    out.push_str(&text[at..]);
    Ok(out)
}

/// The id as YAML reads it back as the same string: plain, or quoted when YAML would take
/// it for something else (`null`, `2024`).
fn yaml_scalar(id: &str) -> String {
    match yaml::parse(id).map(|n| n.value) {
        Ok(Value::Str(s)) if s == id => id.to_string(),
        _ => format!("\"{id}\""),
    }
}

/// Line and column (1-based, columns in characters, as [`Pos`] counts them) to byte offsets.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn start(&self, line: u32) -> usize {
        let i = (line as usize).saturating_sub(1);
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// Where the line ends, after its newline.
    fn end(&self, line: u32) -> usize {
        self.start(line + 1)
    }

    fn offset(&self, pos: Pos) -> Option<usize> {
        let start = self.start(pos.line);
        let line = &self.text[start..self.end(pos.line)];
        let skip = (pos.col as usize).checked_sub(1)?;
        match line.char_indices().nth(skip) {
            Some((i, _)) => Some(start + i),
            None => (line.chars().count() == skip).then_some(start + line.len()),
        }
    }
}

fn readme(id: &str, title: &str) -> String {
    format!(
        r#"---
title: {title}
timeout: 10s
---

# {title}

What this lab teaches, in a paragraph or two. Students see this first.

```yaml stack
services:
  web:
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["8080"]
```

## Serve a page

Ask the student to do one thing, and say how they can tell it worked.

```yaml check
id: page-served
title: web serves index.html
points: 1
hint: Create /www/index.html inside the web container (docker exec -it {id}-web sh).
eventually: 5s
http: {{ service: web, port: 8080, path: /, status: 200 }}
```
"#
    )
}

fn solution(id: &str) -> String {
    format!(
        r#"#!/bin/sh
# Reference solution for {id}: takes a freshly started lab to full marks, the way a
# student would. Runs with cwd = a fresh workspace; LAB_PROJECT names the running project.
set -eu
docker exec "$LAB_PROJECT-web" sh -c 'mkdir -p /www && echo "<h1>hello</h1>" > /www/index.html'
"#
    )
}

#[cfg(test)]
mod tests {
    use super::add_to_course;

    fn add(text: &str) -> Result<String, String> {
        add_to_course(text, "c")
    }

    #[test]
    fn flow_lists() {
        assert_eq!(
            add("format_version: 1\nlabs: [a, b]\ntitle: T\n").as_deref(),
            Ok("format_version: 1\nlabs: [a, b, c]\ntitle: T\n")
        );
        assert_eq!(add("labs: []\n").as_deref(), Ok("labs: [c]\n"));
        assert_eq!(
            add("labs: [ ]  # none yet\n").as_deref(),
            Ok("labs: [c]  # none yet\n")
        );
        // Brackets in a comment are not the list's.
        assert_eq!(
            add("labs: [a] # see [b]\n").as_deref(),
            Ok("labs: [a, c] # see [b]\n")
        );
        assert_eq!(
            add("labs: [\"a\", 'b''s']\n").as_deref(),
            Ok("labs: [\"a\", 'b''s', c]\n")
        );
        assert_eq!(
            add("labs: [\n  a,\n  b,  # last\n]\n").as_deref(),
            Ok("labs: [\n  a,\n  b, c,  # last\n]\n")
        );
        assert_eq!(
            add("title: é\nlabs: [é]").as_deref(),
            Ok("title: é\nlabs: [é, c]")
        );
    }

    #[test]
    fn block_lists() {
        assert_eq!(
            add("labs:\n  - a\n  - b\ntitle: T\n").as_deref(),
            Ok("labs:\n  - a\n  - b\n  - c\ntitle: T\n")
        );
        assert_eq!(
            add("labs:\n  - a\n  - b   # the last one\n\n# course settings\ntitle: T\n").as_deref(),
            Ok("labs:\n  - a\n  - b   # the last one\n  - c\n\n# course settings\ntitle: T\n")
        );
        assert_eq!(add("labs:\n- a").as_deref(), Ok("labs:\n- a\n- c\n"));
        assert_eq!(
            add("labs:\r\n    - a\r\ntitle: T\r\n").as_deref(),
            Ok("labs:\r\n    - a\r\n    - c\r\ntitle: T\r\n")
        );
    }

    #[test]
    fn ids_yaml_would_misread_are_quoted() {
        assert_eq!(
            add_to_course("labs: [a]\n", "null").as_deref(),
            Ok("labs: [a, \"null\"]\n")
        );
        assert_eq!(
            add_to_course("labs:\n  - a\n", "2024").as_deref(),
            Ok("labs:\n  - a\n  - \"2024\"\n")
        );
    }

    #[test]
    fn an_id_already_listed_changes_nothing() {
        assert_eq!(add("labs: [a, c]\n").as_deref(), Ok("labs: [a, c]\n"));
    }

    #[test]
    fn a_missing_or_malformed_list_is_an_error() {
        let err = |text: &str| add(text).expect_err(text);
        assert!(err("title: T\n").contains("no `labs:` list"));
        assert!(err("labs: week1\n").contains("not a list"));
        assert!(err("labs:\n").contains("not a list"));
        assert!(err("labs: [a, [b]]\n").contains("should list lab folders"));
        assert!(err("labs: [a, b\ntitle: T\n").contains("not valid YAML"));
        assert!(err("- a\n- b\n").contains("no `labs:` list"));
    }
}
