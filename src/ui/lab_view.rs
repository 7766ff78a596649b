//! A lab rendered for the terminal: its markdown, with the stack and check blocks shown as
//! readable summaries instead of raw YAML.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::Style;
use crate::model::{Check, CheckKind, DependencyCondition, Lab, Matcher, Service, Stack, Target};

/// The whole lab, as `lab show` prints it.
pub fn render(lab: &Lab, style: Style) -> String {
    let mut r = Renderer {
        style,
        out: String::new(),
        lists: Vec::new(),
        quote: 0,
        line_start: true,
    };
    let mut checks = lab.checks.iter();
    let mut task = 0usize;
    let mut in_code: Option<Option<String>> = None; // Some(role) while inside a fenced block
    let mut code = String::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut link: Vec<String> = Vec::new();
    // Tables: the header row, then body rows, each a list of cell texts.
    let mut table: Option<Vec<Vec<String>>> = None;

    for event in Parser::new_ext(&lab.body, Options::ENABLE_TABLES) {
        if let Some(rows) = table.as_mut() {
            match event {
                Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => rows.push(Vec::new()),
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
                        r.block(&text.lines().map(|l| format!("  {l}\n")).collect::<String>());
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Vec::new()),
            Event::Start(Tag::Heading { level, .. }) => {
                r.blank_line();
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let styled = match level {
                        HeadingLevel::H1 => style.bold(&style.underline(&text)),
                        HeadingLevel::H2 => {
                            task += 1;
                            let title = crate::course::load::task_title(&text);
                            format!("{}{}", style.dim(&format!("Task {task} · ")), style.bold(&style.cyan(title)))
                        }
                        _ => style.bold(&text),
                    };
                    r.push(&styled);
                }
                r.newline();
                r.newline();
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => {
                r.newline();
                if r.lists.is_empty() {
                    r.newline();
                }
            }
            Event::Start(Tag::BlockQuote(_)) => r.quote += 1,
            Event::End(TagEnd::BlockQuote(_)) => r.quote = r.quote.saturating_sub(1),
            Event::Start(Tag::List(first)) => {
                if !r.lists.is_empty() {
                    r.newline_if_needed();
                }
                r.lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                r.lists.pop();
                if r.lists.is_empty() {
                    r.newline();
                }
            }
            Event::Start(Tag::Item) => {
                r.newline_if_needed();
                let depth = r.lists.len().saturating_sub(1);
                let bullet = match r.lists.last_mut() {
                    Some(Some(n)) => {
                        let b = format!("{n}. ");
                        *n += 1;
                        b
                    }
                    _ => "• ".to_string(),
                };
                r.push(&format!("{}{}", "  ".repeat(depth + 1), bullet));
            }
            Event::End(TagEnd::Item) => r.newline_if_needed(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let role = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        let mut w = info.split_whitespace();
                        match (w.next(), w.next()) {
                            (Some("yaml" | "yml"), Some(role @ ("stack" | "check"))) => {
                                Some(role.to_string())
                            }
                            _ => None,
                        }
                    }
                    CodeBlockKind::Indented => None,
                };
                in_code = Some(role);
                code.clear();
            }
            Event::End(TagEnd::CodeBlock) => match in_code.take().flatten().as_deref() {
                Some("stack") => {
                    if let Some(stack) = &lab.stack {
                        r.block(&stack_summary(stack, style));
                    }
                }
                Some(_) => {
                    if let Some(check) = checks.next() {
                        r.block(&check_summary(check, style));
                    }
                }
                None => {
                    let body: String = code
                        .lines()
                        .map(|l| format!("    {}\n", style.cyan(l)))
                        .collect();
                    r.block(&body);
                }
            },
            Event::Text(t) => {
                if in_code.is_some() {
                    code.push_str(&t);
                } else if let Some((_, text)) = heading.as_mut() {
                    text.push_str(&t);
                } else {
                    r.push(&t);
                }
            }
            Event::Code(t) => match heading.as_mut() {
                Some((_, text)) => text.push_str(&t),
                None => r.push(&style.cyan(&format!("`{t}`"))),
            },
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => {}
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => {}
            Event::Start(Tag::Link { dest_url, .. }) => link.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.pop() {
                    r.push(&style.dim(&format!(" ({url})")));
                }
            }
            Event::SoftBreak => r.push(" "),
            Event::HardBreak => r.newline(),
            Event::Rule => {
                r.newline_if_needed();
                r.push(&style.dim(&"─".repeat(40)));
                r.newline();
                r.newline();
            }
            Event::Html(h) | Event::InlineHtml(h)
                // Comments are for authors; other HTML is shown as written.
                if !h.trim_start().starts_with("<!--") => {
                    r.push(&h);
                }
            _ => {}
        }
    }
    let mut out = r.out.trim_end().to_string();
    out.push('\n');
    out
}

struct Renderer {
    style: Style,
    out: String,
    lists: Vec<Option<u64>>,
    quote: usize,
    line_start: bool,
}

impl Renderer {
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
