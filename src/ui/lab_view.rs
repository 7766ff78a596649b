//! A lab rendered for the terminal from the document the loader found: its prose, task
//! headings, and the stack and check blocks shown as readable summaries instead of raw YAML.
//! pulldown-cmark only turns the prose into terminal text here; where the blocks and tasks
//! are is the loader's business.

use std::collections::HashMap;

use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::Style;
use crate::model::{
    Check, CheckKind, DependencyCondition, Lab, Matcher, Part, Service, Stack, Target, Task,
};

/// The whole lab, as `lab show` prints it.
pub fn render(lab: &Lab, style: Style) -> String {
    render_parts(lab, &lab.document, style)
}

/// What `lab start` shows: the intro (the text before the first task) and the task list.
pub fn intro(lab: &Lab, project: &str, style: Style) -> String {
    let mut out = render_parts(lab, lab.intro(), style);
    if !lab.tasks.is_empty() {
        out.push_str(&format!("\n{}\n", style.bold("Tasks")));
        for t in &lab.tasks {
            let checks: Vec<_> = lab
                .checks
                .iter()
                .filter(|c| c.task == Some(t.number - 1))
                .collect();
            let points: u32 = checks.iter().map(|c| c.points).sum();
            out.push_str(&format!(
                "  {}. {}  {}\n",
                t.number,
                t.title,
                style.dim(&format!("({points} points)"))
            ));
        }
    }
    let project_flag = if project == lab.id {
        String::new()
    } else {
        format!(" --project {project}")
    };
    out.push_str(&format!(
        "\n{} `lab show {id}` for the whole text, `lab check {id}{project_flag}` to grade your work, `lab hint {id}` when stuck.\n",
        style.dim("Next:"),
        id = lab.id
    ));
    out
}

fn render_parts(lab: &Lab, parts: &[Part], style: Style) -> String {
    let mut r = Renderer {
        style,
        out: String::new(),
        lists: Vec::new(),
        quote: 0,
        line_start: true,
        links: link_definitions(lab),
    };
    for part in parts {
        match part {
            Part::Text(markdown) => r.markdown(markdown),
            Part::Task(i) => {
                if let Some(task) = lab.tasks.get(*i) {
                    r.task_heading(task);
                }
            }
            Part::Stack => {
                if let Some(stack) = &lab.stack {
                    r.block(&stack_summary(stack, style));
                }
            }
            Part::Check(i) => {
                if let Some(check) = lab.checks.get(*i) {
                    r.block(&check_summary(check, style));
                }
            }
        }
    }
    let mut out = r.out.trim_end().to_string();
    out.push('\n');
    out
}

/// Link reference definitions of every text part, by label: a reference link in one part
/// may be defined in another (often at the end of the file).
fn link_definitions(lab: &Lab) -> HashMap<String, String> {
    let mut defs = HashMap::new();
    for part in &lab.document {
        if let Part::Text(markdown) = part {
            let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES);
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

struct Renderer {
    style: Style,
    out: String,
    lists: Vec<Option<u64>>,
    quote: usize,
    line_start: bool,
    links: HashMap<String, String>,
}

impl Renderer {
    /// A task's `## ` heading, numbered.
    fn task_heading(&mut self, task: &Task) {
        let style = self.style;
        self.blank_line();
        self.push(&format!(
            "{}{}",
            style.dim(&format!("Task {} · ", task.number)),
            style.bold(&style.cyan(&task.title))
        ));
        self.newline();
        self.newline();
    }

    /// Prose, as terminal text.
    fn markdown(&mut self, markdown: &str) {
        let style = self.style;
        let links = &self.links;
        let mut resolve = |link: BrokenLink<'_>| {
            let dest = links.get(&link_label(&link.reference))?;
            Some((CowStr::from(dest.clone()), CowStr::from("")))
        };
        let events: Vec<Event> = Parser::new_with_broken_link_callback(
            markdown,
            Options::ENABLE_TABLES,
            Some(&mut resolve),
        )
        .collect();
        let mut code: Option<String> = None; // Some while inside a code block
        let mut heading: Option<(HeadingLevel, String)> = None;
        let mut link: Vec<String> = Vec::new();
        // Tables: the header row, then body rows, each a list of cell texts.
        let mut table: Option<Vec<Vec<String>>> = None;

        for event in events {
            if let Some(rows) = table.as_mut() {
                match event {
                    Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                        rows.push(Vec::new())
                    }
                    Event::Start(Tag::TableCell) => {
                        if let Some(row) = rows.last_mut() {
                            row.push(String::new());
                        }
                    }
                    Event::Text(t) | Event::Code(t) => {
                        if let Some(cell) = rows.last_mut().and_then(|r| r.last_mut()) {
                            cell.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::Table) => {
                        let mut rows = table.take().unwrap_or_default();
                        if !rows.is_empty() {
                            let head = rows.remove(0);
                            let head: Vec<&str> = head.iter().map(String::as_str).collect();
                            let text = super::table::render(&head, &rows, style);
                            self.block(
                                &text.lines().map(|l| format!("  {l}\n")).collect::<String>(),
                            );
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::Table(_)) => table = Some(Vec::new()),
                Event::Start(Tag::Heading { level, .. }) => {
                    self.blank_line();
                    heading = Some((level, String::new()));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, text)) = heading.take() {
                        let styled = match level {
                            HeadingLevel::H1 => style.bold(&style.underline(&text)),
                            // Task headings are parts of their own; a `## ` section in the
                            // prose has no checks, and so no number (LAB_FORMAT v1.1).
                            HeadingLevel::H2 => style.bold(&style.cyan(&text)),
                            _ => style.bold(&text),
                        };
                        self.push(&styled);
                    }
                    self.newline();
                    self.newline();
                }
                Event::Start(Tag::Paragraph) => {}
                Event::End(TagEnd::Paragraph) => {
                    self.newline();
                    if self.lists.is_empty() {
                        self.newline();
                    }
                }
                Event::Start(Tag::BlockQuote(_)) => self.quote += 1,
                Event::End(TagEnd::BlockQuote(_)) => self.quote = self.quote.saturating_sub(1),
                Event::Start(Tag::List(first)) => {
                    if !self.lists.is_empty() {
                        self.newline_if_needed();
                    }
                    self.lists.push(first);
                }
                Event::End(TagEnd::List(_)) => {
                    self.lists.pop();
                    if self.lists.is_empty() {
                        self.newline();
                    }
                }
                Event::Start(Tag::Item) => {
                    self.newline_if_needed();
                    let depth = self.lists.len().saturating_sub(1);
                    let bullet = match self.lists.last_mut() {
                        Some(Some(n)) => {
                            let b = format!("{n}. ");
                            *n += 1;
                            b
                        }
                        _ => "• ".to_string(),
                    };
                    self.push(&format!("{}{}", "  ".repeat(depth + 1), bullet));
                }
                Event::End(TagEnd::Item) => self.newline_if_needed(),
                Event::Start(Tag::CodeBlock(_)) => code = Some(String::new()),
                Event::End(TagEnd::CodeBlock) => {
                    let body: String = code
                        .take()
                        .unwrap_or_default()
                        .lines()
                        .map(|l| format!("    {}\n", style.cyan(l)))
                        .collect();
                    self.block(&body);
                }
                Event::Text(t) => {
                    if let Some(code) = code.as_mut() {
                        code.push_str(&t);
                    } else if let Some((_, text)) = heading.as_mut() {
                        text.push_str(&t);
                    } else {
                        self.push(&t);
                    }
                }
                Event::Code(t) => match heading.as_mut() {
                    Some((_, text)) => text.push_str(&t),
                    None => self.push(&style.cyan(&format!("`{t}`"))),
                },
                Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => {}
                Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => {}
                Event::Start(Tag::Link { dest_url, .. }) => link.push(dest_url.to_string()),
                Event::End(TagEnd::Link) => {
                    if let Some(url) = link.pop() {
                        self.push(&style.dim(&format!(" ({url})")));
                    }
                }
                Event::SoftBreak => self.push(" "),
                Event::HardBreak => self.newline(),
                Event::Rule => {
                    self.newline_if_needed();
                    self.push(&style.dim(&"─".repeat(40)));
                    self.newline();
                    self.newline();
                }
                Event::Html(h) | Event::InlineHtml(h)
                    // Comments are for authors; other HTML is shown as written.
                    if !h.trim_start().starts_with("<!--") => {
                        self.push(&h);
                    }
                _ => {}
            }
        }
    }

    fn push(&mut self, s: &str) {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            if part.is_empty() {
                continue;
            }
            if self.line_start && self.quote > 0 {
                let bar = self.style.dim(&"│ ".repeat(self.quote));
                self.out.push_str(&bar);
            }
            self.out.push_str(part);
            self.line_start = false;
        }
    }
    fn newline(&mut self) {
        self.out.push('\n');
        self.line_start = true;
    }
    fn newline_if_needed(&mut self) {
        if !self.line_start {
            self.newline();
        }
    }
    fn blank_line(&mut self) {
        self.newline_if_needed();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.newline();
        }
    }
    fn block(&mut self, text: &str) {
        self.newline_if_needed();
        self.out.push_str(text);
        self.line_start = true;
        if self.lists.is_empty() {
            self.newline();
        }
    }
}

/// `Stack: 2 services` and one line per service.
pub fn stack_summary(stack: &Stack, style: Style) -> String {
    let mut out = format!(
        "  {} {}\n",
        style.bold("Stack:"),
        plural(stack.services.len(), "service")
    );
    let width = stack
        .services
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0);
    for s in &stack.services {
        out.push_str(&format!(
            "    {}  {}\n",
            style.bold(&format!("{:width$}", s.name)),
            service_facts(s).join(" · ")
        ));
    }
    if !stack.networks.is_empty() {
        let names: Vec<String> = stack
            .networks
            .iter()
            .map(|n| {
                if n.internal {
                    format!("{} (internal)", n.name)
                } else {
                    n.name.clone()
                }
            })
            .collect();
        out.push_str(&format!(
            "    {} {}\n",
            style.dim("networks:"),
            names.join(", ")
        ));
    }
    if !stack.volumes.is_empty() {
        let names: Vec<&str> = stack.volumes.iter().map(|v| v.name.as_str()).collect();
        out.push_str(&format!(
            "    {} {}\n",
            style.dim("volumes:"),
            names.join(", ")
        ));
    }
    out
}

fn service_facts(s: &Service) -> Vec<String> {
    let mut facts = Vec::new();
    match (&s.image, &s.build) {
        (_, Some(b)) => facts.push(format!("built from {}", b.context.display())),
        (Some(i), None) => facts.push(i.clone()),
        (None, None) => {}
    }
    if !s.ports.is_empty() {
        let ports: Vec<String> = s
            .ports
            .iter()
            .map(|p| p.container_port.to_string())
            .collect();
        facts.push(format!("port {}", ports.join(", ")));
    }
    if s.healthcheck.as_ref().is_some_and(|h| !h.disable) {
        facts.push("health check".into());
    }
    for d in &s.depends_on {
        let cond = match d.condition {
            DependencyCondition::ServiceStarted => "started",
            DependencyCondition::ServiceHealthy => "healthy",
            DependencyCondition::ServiceCompletedSuccessfully => "completed",
        };
        facts.push(format!("after {} ({cond})", d.service));
    }
    facts
}

/// `☐ web reports healthy  (2 points)` and what it looks at.
pub fn check_summary(check: &Check, style: Style) -> String {
    let points = match check.points {
        0 => "no points".to_string(),
        p => plural(p as usize, "point"),
    };
    format!(
        "  ☐ {}  {}\n    {}\n",
        style.bold(&check.title),
        style.dim(&format!("({points})")),
        style.dim(&format!("{} · {}", check.id, describe_kind(&check.kind)))
    )
}

/// One line on what a check looks at: "container web is running, healthy".
pub fn describe_kind(kind: &CheckKind) -> String {
    match kind {
        CheckKind::Exec(e) => format!("runs a command in {}", e.spec.target),
        CheckKind::Expect(e) => match e.target {
            Target::Host => "drives a program on your machine".into(),
            ref t => format!("drives an interactive session in {t}"),
        },
        CheckKind::Http(h) => match (&h.url, &h.target) {
            (Some(u), _) => format!("requests {u}"),
            (None, Some(t)) => format!("requests port {} of {t}", h.port.unwrap_or_default()),
            _ => "makes an HTTP request".into(),
        },
        CheckKind::Tcp(t) => {
            let to = t
                .host
                .clone()
                .or_else(|| t.service.clone())
                .unwrap_or_else(|| "localhost".into());
            let verb = if t.open {
                "connects to"
            } else {
                "expects no connection to"
            };
            match &t.from {
                Some(f) => format!("{verb} {to}:{} from {f}", t.port),
                None => format!("{verb} {to}:{}", t.port),
            }
        }
        CheckKind::Dns(d) => format!("looks up {} from {}", d.name, d.from),
        CheckKind::Container(c) => {
            let mut what = Vec::new();
            if let Some(s) = &c.state {
                what.push(s.clone());
            }
            if let Some(h) = &c.health {
                what.push(h.clone());
            }
            let target = c.target.as_ref().map(|t| t.to_string()).unwrap_or_default();
            if what.is_empty() {
                format!("inspects {target}")
            } else {
                format!("{target} is {}", what.join(", "))
            }
        }
        CheckKind::Network(n) => existence("network", &n.name, n.exists),
        CheckKind::Volume(v) => existence("volume", &v.name, v.exists),
        CheckKind::Image(i) => existence("image", &i.name, i.exists),
        CheckKind::Logs(l) => format!("reads the logs of {}{}", l.target, matcher_hint(&l.matcher)),
        CheckKind::File(f) => match &f.target {
            Some(t) => format!("looks at {} in {t}", f.path),
            None => format!("looks at {} in your workspace", f.path),
        },
        CheckKind::Command(_) => "runs a command on your machine".into(),
        CheckKind::Answer(a) => format!("reads {} in {}", a.key, a.file),
        CheckKind::Dockerfile(d) => format!("reads {} in your workspace", d.path),
    }
}

fn existence(kind: &str, name: &str, exists: bool) -> String {
    if exists {
        format!("{kind} {name} exists")
    } else {
        format!("{kind} {name} is gone")
    }
}

fn matcher_hint(m: &Matcher) -> String {
    match m {
        Matcher::Contains(s) => format!(" for \"{s}\""),
        _ => String::new(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
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
        let out = render(&lab(LAB), Style::PLAIN);
        assert!(out.contains("\nSetup\n"), "{out}");
        assert!(out.contains("\nTask 1 · Build\n"), "{out}");
        assert!(out.contains("\nClean up\n"), "{out}");
        assert!(!out.contains("Task 2"), "{out}");
        assert!(out.contains("☐ it is built  (1 point)"), "{out}");
    }

    #[test]
    fn a_reference_link_may_be_defined_in_another_part() {
        let out = render(&lab(LAB), Style::PLAIN);
        assert!(
            out.contains("See the docs (https://example.org/docs)."),
            "{out}"
        );
    }

    #[test]
    fn the_intro_runs_to_the_first_task_and_lists_the_tasks() {
        let out = intro(&lab(LAB), "l", Style::PLAIN);
        assert!(out.contains("Nothing to grade."), "{out}");
        assert!(
            !out.contains("Task 1 ·") && !out.contains("Remove it"),
            "{out}"
        );
        assert!(out.contains("Tasks\n  1. Build  (1 points)\n"), "{out}");
    }
}
