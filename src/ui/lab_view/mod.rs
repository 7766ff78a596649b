//! A lab rendered for the terminal from the document the loader found: its prose, task
//! headings, and the stack and check blocks shown as readable summaries instead of raw YAML.
//! pulldown-cmark only turns the prose into terminal text here; where the blocks and tasks
//! are is the loader's business.

mod check;
mod inline;
mod prose;
mod stack;
mod table;

use std::collections::HashMap;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser, Tag, TagEnd};

pub use check::{Phrase, Seg, describe, describe_kind};
use inline::{Base, Inline, Inlines, Token, fill};
use stack::plural;
pub use stack::stack_summary;

use super::Style;
use crate::model::{Check, Lab, Part, Task};

/// The Markdown extensions a lab's prose is read with (GitHub's tables).
const OPTIONS: Options = Options::ENABLE_TABLES;

/// The whole lab, as `lab show` prints it, laid out in `width` columns.
pub fn render(lab: &Lab, style: Style, width: usize) -> String {
    render_parts(lab, &lab.document, style, width)
}

/// What `lab start` shows: the intro (the text before the first task) and the task list.
pub fn intro(lab: &Lab, project: &str, style: Style, width: usize) -> String {
    let mut out = Out::new(style, width);
    write_parts(&mut out, lab, lab.intro());
    if !lab.tasks.is_empty() {
        out.blank();
        out.line(&style.bold("Tasks"));
        for t in &lab.tasks {
            let points: u32 = lab
                .checks
                .iter()
                .filter(|c| c.task == Some(t.number - 1))
                .map(|c| c.points)
                .sum();
            let mut words = markdown_words(&t.markdown, style, Base::Plain);
            words.push(gap_word(
                &style.dim(&format!("({})", plural(points as usize, "point"))),
            ));
            let number = format!("  {}. ", t.number);
            let rest = " ".repeat(style::width(&number));
            for line in fill(&words, width, &number, &rest) {
                out.line(&line);
            }
        }
    }
    let project_flag = if project == lab.id {
        String::new()
    } else {
        format!(" --project {project}")
    };
    out.blank();
    let next = format!(
        "`lab show {id}` for the whole text, `lab check {id}{project_flag}` to grade your work, `lab hint {id}` when stuck.",
        id = lab.id
    );
    let mut words = vec![Token::Word {
        text: style.dim("Next:"),
        width: 5,
    }];
    words.extend(markdown_words(&next, style, Base::Plain));
    for line in fill(&words, out.width, "", "") {
        out.line(&line);
    }
    out.finish()
}

use super::style;

fn render_parts(lab: &Lab, parts: &[Part], style: Style, width: usize) -> String {
    let mut out = Out::new(style, width);
    write_parts(&mut out, lab, parts);
    out.finish()
}

fn write_parts(out: &mut Out, lab: &Lab, parts: &[Part]) {
    let links = link_definitions(lab);
    for part in parts {
        match part {
            Part::Text(markdown) => {
                let mut resolve = |link: BrokenLink<'_>| {
                    let dest = links.get(&link_label(&link.reference))?;
                    Some((CowStr::from(dest.clone()), CowStr::from("")))
                };
                let events: Vec<Event> =
                    Parser::new_with_broken_link_callback(markdown, OPTIONS, Some(&mut resolve))
                        .collect();
                prose::Prose::new(out).render(&events);
            }
            Part::Task(i) => {
                if let Some(task) = lab.tasks.get(*i) {
                    task_heading(out, task);
                }
            }
            Part::Stack => {
                if let Some(stack) = &lab.stack {
                    out.blank();
                    out.text(&stack_summary(stack, out.style, out.width));
                }
            }
            Part::Check(i) => {
                if let Some(check) = lab.checks.get(*i) {
                    out.blank();
                    check_summary(out, check);
                }
            }
        }
    }
}

/// A task's `## ` heading, numbered.
fn task_heading(out: &mut Out, task: &Task) {
    let style = out.style;
    let mut words = vec![Token::Word {
        text: style.dim(&format!("Task {} ·", task.number)),
        width: style::width(&format!("Task {} ·", task.number)),
    }];
    words.extend(markdown_words(&task.markdown, style, Base::Section));
    out.blank();
    for line in fill(&words, out.width, "", "") {
        out.line(&line);
    }
}

/// `☐ web reports healthy  (2 points)`, and what it looks at.
fn check_summary(out: &mut Out, check: &Check) {
    let style = out.style;
    let points = match check.points {
        0 => "no points".to_string(),
        p => plural(p as usize, "point"),
    };
    let mut title = Inline::default();
    title.text(&check.title, |s| style.bold(s));
    let mut words = title.take();
    words.push(gap_word(&style.dim(&format!("({points})"))));
    for line in fill(&words, out.width, "  ☐ ", "    ") {
        out.line(&line);
    }
    let mut what = Inline::default();
    what.text(&format!("{} ·", check.id), |s| style.dim(s));
    what.space();
    for seg in describe(check).0 {
        match seg {
            Seg::Text(t) => what.text(&t, |s| style.dim(s)),
            Seg::Code(c) => what.atom(&inline::code(Style::PLAIN, &c), inline::code(style, &c)),
        }
    }
    for line in fill(&what.take(), out.width, "    ", "    ") {
        out.line(&line);
    }
}

/// A word set off by two spaces from the one before (points after a title).
fn gap_word(styled: &str) -> Token {
    Token::Word {
        text: format!(" {styled}"),
        width: style::width(styled) + 1,
    }
}

/// A heading's inline Markdown as words, painted as `base`.
fn markdown_words(markdown: &str, style: Style, base: Base) -> Vec<Token> {
    // Parsed as the heading it came from, so that "1. Setup" stays text, not a list.
    let source = format!("## {}", markdown.replace(['\r', '\n'], " "));
    let mut inlines = Inlines::new(style);
    inlines.base = base;
    let mut words = Inline::default();
    for event in Parser::new_ext(&source, OPTIONS) {
        if !matches!(
            event,
            Event::Start(Tag::Heading { .. }) | Event::End(TagEnd::Heading(_))
        ) {
            inlines.event(&event, &mut words);
        }
    }
    words.take()
}

/// Link reference definitions of every text part, by label: a reference link in one part
/// may be defined in another (often at the end of the file).
fn link_definitions(lab: &Lab) -> HashMap<String, String> {
    let mut defs = HashMap::new();
    for part in &lab.document {
        if let Part::Text(markdown) = part {
            let parser = Parser::new_ext(markdown, OPTIONS);
            for (label, def) in parser.reference_definitions().iter() {
                defs.entry(link_label(label))
                    .or_insert_with(|| def.dest.to_string());
            }
        }
    }
    defs
}

/// A link label as CommonMark compares them: case and runs of white space do not count.
fn link_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The text being written, line by line, with one blank line between blocks.
struct Out {
    style: Style,
    /// Columns to wrap prose at.
    width: usize,
    text: String,
}

impl Out {
    fn new(style: Style, width: usize) -> Self {
        // Narrower than this, wrapping does more harm than good.
        Out {
            style,
            width: width.max(20),
            text: String::new(),
        }
    }

    fn line(&mut self, line: &str) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    /// Lines already laid out (a summary).
    fn text(&mut self, text: &str) {
        for line in text.lines() {
            self.line(line);
        }
    }

    /// A blank line before the next block, unless there is one (or nothing) already.
    fn blank(&mut self) {
        if !self.at_block_start() {
            self.text.push('\n');
        }
    }

    fn at_block_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with("\n\n")
    }

    fn finish(self) -> String {
        let mut out = self.text.trim_end().to_string();
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::course::{LoadOptions, parse_lab};

    fn lab(text: &str) -> Lab {
        parse_lab(
            text,
            "l",
            Path::new("README.md"),
            Path::new("/tmp"),
            &LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"))
    }

    const LAB: &str = "---\ntitle: T\n---\n# Lab\n\nSee [the docs][docs].\n\n## Setup\n\nNothing to grade.\n\n## Task 1: Build\n\n```yaml check\nid: built\ntitle: it is built\nfile: {path: out.txt}\n```\n\n## Clean up\n\nRemove it.\n\n[docs]: https://example.org/docs\n";

    #[test]
    fn only_sections_with_checks_are_numbered() {
        let out = render(&lab(LAB), Style::PLAIN, 80);
        assert!(out.contains("\nSetup\n"), "{out}");
        assert!(out.contains("\nTask 1 · Build\n"), "{out}");
        assert!(out.contains("\nClean up\n"), "{out}");
        assert!(!out.contains("Task 2"), "{out}");
        assert!(out.contains("☐ it is built  (1 point)"), "{out}");
    }

    #[test]
    fn a_reference_link_may_be_defined_in_another_part() {
        let out = render(&lab(LAB), Style::PLAIN, 80);
        assert!(
            out.contains("See the docs (https://example.org/docs)."),
            "{out}"
        );
    }

    #[test]
    fn the_intro_runs_to_the_first_task_and_lists_the_tasks() {
        let out = intro(&lab(LAB), "l", Style::PLAIN, 80);
        assert!(out.contains("Nothing to grade."), "{out}");
        assert!(
            !out.contains("Task 1 ·") && !out.contains("Remove it"),
            "{out}"
        );
        assert!(out.contains("Tasks\n  1. Build  (1 point)\n"), "{out}");
        assert!(
            out.ends_with("Next: `lab show l` for the whole text, `lab check l` to grade your work,\n`lab hint l` when stuck.\n"),
            "{out}"
        );
    }
}

#[cfg(test)]
mod summary_tests {
    use std::path::Path;

    use super::*;
    use crate::course::{LoadOptions, parse_lab};

    /// Each check's summary line, by id.
    fn described(checks: &str) -> Vec<(String, String)> {
        let text = format!(
            "---\ntitle: T\n---\n```yaml stack\nservices:\n  web: {{image: busybox:1.36}}\n  api: {{image: busybox:1.36}}\n```\n\n## Task 1: Build `it`\n\n{checks}"
        );
        let lab = parse_lab(
            &text,
            "l",
            Path::new("README.md"),
            Path::new("/tmp"),
            &LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        lab.checks
            .iter()
            .map(|c| (c.id.clone(), describe(c).to_string()))
            .collect()
    }

    fn block(id: &str, body: &str) -> String {
        format!("```yaml check\nid: {id}\ntitle: {id}\n{body}\n```\n\n")
    }

    #[test]
    fn summaries_leave_out_nothing_a_check_requires() {
        let checks = [
            block("net", "network: {name: front, containers: [web, api]}"),
            block(
                "net-internal",
                "network: {name: back, internal: true, containers: [api]}",
            ),
            block(
                "stopped",
                "before: [{stop: web}]\ncontainer: {service: web, state: exited}",
            ),
            block(
                "crash",
                "before: [{kill: {service: web, signal: KILL}}, {sleep: 1s}]\ncontainer: {service: web, state: running}\neventually: 10s",
            ),
            block(
                "by-name",
                "needs: [net]\nexec: {service: api, cmd: \"wget -q -O - http://web/\", stdout: Welcome}",
            ),
            block(
                "said",
                "logs: {container: hello, equals: \"Hello from week1\"}",
            ),
            block("gone", "container: {container: writer, exists: false}"),
            block("no-file", "file: {path: out.txt, exists: false}"),
            block(
                "script",
                "before: [{command: \"echo y | ./automate.sh\"}]\nfile: {path: app.conf, contains: mode=production}",
            ),
            block(
                "vol",
                "volume: {name: data, driver: local}",
            ),
            block(
                "img",
                "image: {name: \"app:1\", healthcheck: true, exposed_ports: [8080]}",
            ),
            block(
                "df",
                "dockerfile: {path: Dockerfile, from: \"busybox:1.36\", default_command: true}",
            ),
        ]
        .concat();
        let got = described(&checks);
        let want = [
            ("net", "network front exists and joins web, api"),
            (
                "net-internal",
                "network back exists, is internal and joins api",
            ),
            (
                "stopped",
                "after stopping service web: service web is exited",
            ),
            (
                "crash",
                "after killing service web with SIGKILL and waiting 1s: service web is running (within 10s)",
            ),
            (
                "by-name",
                "runs `wget -q -O - http://web/` in service api, output containing \"Welcome\" · needs net",
            ),
            (
                "said",
                "reads the logs of container hello: they must be \"Hello from week1\"",
            ),
            ("gone", "container writer is gone"),
            ("no-file", "expects no out.txt in your workspace"),
            (
                "script",
                "after running `echo y | ./automate.sh` on your machine: looks at app.conf in your workspace: it must contain \"mode=production\"",
            ),
            ("vol", "volume data exists and uses driver local"),
            (
                "img",
                "image app:1 exists, has a health check and exposes 8080",
            ),
            (
                "df",
                "reads Dockerfile in your workspace: FROM busybox:1.36 and a default command",
            ),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn code_in_a_task_title_is_code_in_the_heading_and_the_task_list() {
        let text = format!(
            "---\ntitle: T\n---\nIntro.\n\n## Task 1: Build `it` ##\n\n{}",
            block("b", "file: {path: out.txt}")
        );
        let lab = parse_lab(
            &text,
            "l",
            Path::new("README.md"),
            Path::new("/tmp"),
            &LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(lab.tasks[0].title, "Build it", "reports keep plain text");
        assert!(render(&lab, Style::PLAIN, 80).contains("\nTask 1 · Build `it`\n"));
        assert!(intro(&lab, "l", Style::PLAIN, 80).contains("\n  1. Build `it`  (1 point)\n"));
    }

    #[test]
    fn odd_markdown_renders_at_any_width_without_panicking() {
        let odd = [
            "- \n-\n  1. \n",
            "> - a\n>   > b\n>\n> c\n",
            "| a |\n| - |\n| b | c | d |\n| |\n",
            "<!--\na comment\n-->\n\n<div>\nhtml\n</div>\n",
            "1. ```\n   code\n   ```\n2. > quote\n",
            "a  \nb\\\nc <br> d <!-- x --> e\n\n***\n",
            "18446744073709551615. big\n18446744073709551615. bigger\n",
            "[dangling][nowhere] and ![img](x.png) and <mailto:a@b.c>\n",
            "- a\n\n  b\n\n- c\n  - d\n    - e\n      - f\n        - g\n",
            "`` a`b `` and `` ` ``\n\n\tindented\n",
        ];
        for md in odd {
            let text = format!("---\ntitle: T\n---\n{md}");
            let lab = parse_lab(
                &text,
                "l",
                Path::new("README.md"),
                Path::new("/tmp"),
                &LoadOptions::default(),
            )
            .unwrap_or_else(|d| panic!("{d}"));
            for width in [0, 1, 20, 80] {
                for style in [Style::PLAIN, Style { color: true }] {
                    let out = render(&lab, style, width);
                    assert!(out.ends_with('\n'), "{md:?}");
                }
            }
        }
    }
}
