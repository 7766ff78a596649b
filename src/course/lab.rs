//! One lab's README.md decoded: the front matter, the stack and check blocks, the tasks, and
//! the document in order, which views render without parsing the markdown again.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use super::decode::action::Refs;
use super::decode::{self, Ctx, front_matter};
use super::diag::nearest;
use super::markdown::{self, Document, Part, Role, RoleBlock};
use super::yaml::{self, Node, Pos};
use crate::model::{self, Check, Lab, Stack, Task};

/// The labs a lab requires, each where it was written.
pub(super) type Requires = Vec<(String, Pos)>;

/// Decode a lab's README.md text.
pub(super) fn decode_lab(
    ctx: &mut Ctx,
    text: &str,
    id: &str,
    dir: &Path,
) -> Option<(Lab, Requires)> {
    if text.trim().is_empty() {
        ctx.error(
            Pos::new(1, 1),
            "the lab is empty; it needs a front matter with a title",
        )
        .help = Some("start the file with:\n---\ntitle: My lab\n---".into());
        return None;
    }
    let doc = markdown::split(text);
    let header = header(ctx, &doc);
    if let Some(t) = header.as_ref().and_then(|h| h.timeout) {
        ctx.check_timeout = t.0;
    }
    let mut body = Body::new(&doc.body);
    let opens_task = opens_task(&doc.parts);
    for (part, opens_task) in doc.parts.iter().zip(opens_task) {
        match part {
            Part::Heading(h) if opens_task => {
                let index = body.tasks.len();
                body.tasks.push(Task {
                    number: index + 1,
                    title: task_title(&h.title).to_string(),
                    markdown: task_title(&heading_markdown(
                        doc.body.get(h.span.clone()).unwrap_or(&h.title),
                    ))
                    .to_string(),
                    line: h.line,
                });
                body.take(&h.span, model::Part::Task(index));
            }
            // A section without checks is prose (LAB_FORMAT v1.1): it stays in the text.
            Part::Heading(_) => {}
            Part::Block(b) => match &b.role {
                Role::Unknown(word) => {
                    let near = nearest(word, &["stack", "check"]).unwrap_or("check");
                    ctx.error(
                        Pos::new(b.fence_line, b.fence_col),
                        format!("unknown block role \"yaml {word}\""),
                    )
                    .suggestion = Some(format!("did you mean \"yaml {near}\"?"));
                }
                Role::Stack => body.stack_block(ctx, b),
                Role::Check => body.check_block(ctx, b),
            },
        }
    }
    // Services a student's submitted stack brings cannot be known before it is graded.
    let submitted_stack = header
        .as_ref()
        .and_then(|h| h.submission.as_ref())
        .is_some_and(|s| s.stack.is_some());
    if !submitted_stack {
        check_service_refs(ctx, &body);
    }
    super::needs::check(ctx, &body.checks, &body.needs);

    let header = header?;
    let document = body.document();
    let digest = digest(&body.checks, body.stack.as_ref(), &header, dir);
    let lab = Lab {
        digest,
        id: id.to_string(),
        title: header.title?,
        requires: header.requires.iter().map(|(r, _)| r.clone()).collect(),
        timeout: header.timeout,
        tags: header.tags,
        submission: header.submission,
        tasks: body.tasks,
        stack: body.stack,
        checks: body.checks,
        document,
        dir: dir.to_path_buf(),
    };
    Some((lab, header.requires))
}

/// A short digest of what grading reads: the checks, the stack, the lab's check timeout
/// and what a submission is (its files, script, stack and time limit: a check that reads a
/// file only some submissions could hand in grades another lab). Line numbers are left
/// out (moving a block, or editing prose above it, does not change what it grades), and
/// so is where the course sits on this machine (the stack's paths are made relative).
fn digest(
    checks: &[crate::model::Check],
    stack: Option<&crate::model::Stack>,
    header: &front_matter::LabHeader,
    dir: &Path,
) -> String {
    use sha2::{Digest, Sha256};
    let checks: Vec<crate::model::Check> = checks
        .iter()
        .cloned()
        .map(|mut c| {
            c.line = 0;
            c
        })
        .collect();
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&checks).unwrap_or_default());
    // Absent, they add nothing: a lab that gives neither keeps the digest it had before
    // they counted.
    if header.timeout.is_some() || header.submission.is_some() {
        let rules = (&header.timeout, &header.submission);
        h.update(serde_json::to_vec(&rules).unwrap_or_default());
    }
    let stack = serde_json::to_string(&stack).unwrap_or_default();
    let here = serde_json::to_string(&dir.display().to_string()).unwrap_or_default();
    let here = here.trim_matches('"');
    h.update(if here.is_empty() {
        stack
    } else {
        stack.replace(here, ".")
    });
    hex::encode(&h.finalize()[..8])
}

/// The front matter, decoded; `None` when it is missing, unclosed or not YAML.
fn header(ctx: &mut Ctx, doc: &Document) -> Option<front_matter::LabHeader> {
    match (&doc.front_matter, doc.unclosed_front_matter) {
        (_, true) => {
            ctx.error(
                Pos::new(1, 1),
                "the front matter opened here is never closed with a line \"---\"",
            );
            None
        }
        (None, false) => {
            ctx.error(
                Pos::new(1, 1),
                "the lab has no front matter; start the file with ---, a title, and ---",
            )
            .help = Some("e.g.\n---\ntitle: Health checks\n---".into());
            None
        }
        (Some(fm), false) => match parse_block(ctx, &fm.yaml, fm.first_line, 0, "the front matter")
        {
            Some(node) if node.is_null() => {
                ctx.error(
                    Pos::new(fm.first_line, 1),
                    "the front matter is empty; it needs a title",
                );
                None
            }
            Some(node) => Some(front_matter::lab(ctx, &node)),
            None => None,
        },
    }
}

/// Which parts are headings that open a task: those followed by a check block before the
/// next heading (LAB_FORMAT v1.1).
fn opens_task(parts: &[Part]) -> Vec<bool> {
    let mut out = vec![false; parts.len()];
    let mut heading = None;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Heading(_) => heading = Some(i),
            Part::Block(b) if b.role == Role::Check => {
                if let Some(h) = heading {
                    out[h] = true;
                }
            }
            Part::Block(_) => {}
        }
    }
    out
}

/// What the blocks and task headings of the body decode to, and the document around them.
struct Body<'d> {
    text: &'d str,
    /// Where the prose not yet in `parts` starts.
    cursor: usize,
    parts: Vec<model::Part>,
    tasks: Vec<Task>,
    stack: Option<Stack>,
    /// Where the first stack block opens, to report a second one.
    stack_line: Option<u32>,
    checks: Vec<Check>,
    /// Services named by checks and actions, for [`check_service_refs`].
    refs: Refs,
    /// Check ids and the line each was first used at.
    ids: BTreeMap<String, u32>,
    /// Per check (by index), what it needs and where that was written.
    needs: Vec<decode::check::Needs>,
}

impl<'d> Body<'d> {
    fn new(text: &'d str) -> Self {
        Body {
            text,
            cursor: 0,
            parts: Vec::new(),
            tasks: Vec::new(),
            stack: None,
            stack_line: None,
            checks: Vec::new(),
            refs: Vec::new(),
            ids: BTreeMap::new(),
            needs: Vec::new(),
        }
    }

    /// Put `part` in the document in place of the text at `span`, after the prose before it.
    fn take(&mut self, span: &Range<usize>, part: model::Part) {
        self.prose_until(span.start);
        self.parts.push(part);
        self.cursor = span.end;
    }

    fn prose_until(&mut self, end: usize) {
        let text = self.text.get(self.cursor..end).unwrap_or_default();
        if !text.trim().is_empty() {
            self.parts.push(model::Part::Text(text.to_string()));
        }
        self.cursor = end;
    }

    fn document(&mut self) -> Vec<model::Part> {
        self.prose_until(self.text.len());
        std::mem::take(&mut self.parts)
    }

    fn stack_block(&mut self, ctx: &mut Ctx, b: &RoleBlock) {
        if let Some(first) = self.stack_line {
            ctx.error(
                Pos::new(b.fence_line, b.fence_col),
                format!(
                    "a second stack block; a lab has at most one (the first is at line {first})"
                ),
            );
            return;
        }
        self.stack_line = Some(b.fence_line);
        self.take(&b.span, model::Part::Stack);
        let Some(node) = parse_block(ctx, &b.yaml, b.first_line, b.indent, "the stack block")
        else {
            return;
        };
        if node.is_null() {
            ctx.error(
                Pos::new(b.fence_line, b.fence_col),
                "the stack block is empty",
            );
        } else {
            self.stack = decode::stack::decode(ctx, &node);
        }
    }

    fn check_block(&mut self, ctx: &mut Ctx, b: &RoleBlock) {
        let Some(node) = parse_block(ctx, &b.yaml, b.first_line, b.indent, "a check block") else {
            return;
        };
        if node.is_null() {
            ctx.error(
                Pos::new(b.fence_line, b.fence_col),
                "the check block is empty",
            );
            return;
        }
        // The heading before a check always opened a task (see `opens_task`).
        let task = self.tasks.len().checked_sub(1);
        let id_pos = id_position(&node);
        let mut needs = Vec::new();
        let Some(check) =
            decode::check::decode(ctx, &node, task, b.first_line, &mut self.refs, &mut needs)
        else {
            return;
        };
        if let Some(first) = self.ids.get(&check.id) {
            ctx.error(
                id_pos.unwrap_or(node.pos),
                format!(
                    "duplicate check id \"{}\" (first used at line {first})",
                    check.id
                ),
            );
        } else {
            self.ids.insert(
                check.id.clone(),
                id_pos.map(|p| p.line).unwrap_or(b.first_line),
            );
        }
        self.take(&b.span, model::Part::Check(self.checks.len()));
        self.checks.push(check);
        self.needs.push(needs);
    }
}

/// Every service a check or action names must be in the stack (unless the lab takes a
/// stack from its submissions).
fn check_service_refs(ctx: &mut Ctx, body: &Body) {
    let services: Vec<&str> = body
        .stack
        .as_ref()
        .map(|s| s.services.iter().map(|s| s.name.as_str()).collect())
        .unwrap_or_default();
    for (name, pos, target, replica) in &body.refs {
        let service = body.stack.as_ref().and_then(|s| s.service(name));
        if let (Some(svc), Some((n, at))) = (service, replica) {
            match svc.replicas {
                Some(count) if *n <= count => {}
                Some(count) => {
                    ctx.error(
                        *at,
                        format!("service \"{name}\" has {count} replicas; there is no replica {n}"),
                    );
                }
                None => {
                    ctx.error(*at, format!("service \"{name}\" has no replicas (one container); leave out \"replica\" or give it `deploy: {{replicas: N}}`"));
                }
            }
        }
        let container = format!("use `container: {name}` for a container the student creates");
        if body.stack.is_none() {
            if body.stack_line.is_none() {
                ctx.error(
                    *pos,
                    format!("service \"{name}\" is named, but this lab has no stack"),
                )
                .help = Some(if *target {
                    container
                } else {
                    "\"from\" runs a probe inside a stack service; add a stack with it".into()
                });
            }
        } else if !services.contains(&name.as_str()) {
            let d = ctx.error(
                *pos,
                format!("service \"{name}\" is not in this lab's stack"),
            );
            let near = nearest(name, &services).filter(|near| !sibling_names(name, near));
            if let Some(near) = near {
                d.suggestion = Some(format!("did you mean \"{near}\"?"));
            }
            let listed = format!("the stack's services: {}", services.join(", "));
            d.help = Some(if *target {
                format!("{listed}; {container}")
            } else {
                listed
            });
        }
    }
}

/// `web-c` and `web-a`: names of a series that differ in their last part are chosen on
/// purpose (a third container next to two services), not typos of each other.
fn sibling_names(a: &str, b: &str) -> bool {
    match (a.rsplit_once(['-', '_']), b.rsplit_once(['-', '_'])) {
        (Some((pa, la)), Some((pb, lb))) => pa == pb && la != lb && la.len() <= 2 && lb.len() <= 2,
        _ => false,
    }
}

/// A heading's title without a leading "Task 3:" (or "Task 3 —"): `lab` numbers tasks itself,
/// and reports would say "Task 3: Task 3: …".
pub fn task_title(heading: &str) -> &str {
    let Some(rest) = heading.strip_prefix("Task ") else {
        return heading;
    };
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return heading;
    }
    let after = rest[digits..].trim_start();
    match after.strip_prefix([':', '.', '—', '–', '-']) {
        Some(title) if !title.trim().is_empty() => title.trim_start(),
        _ => heading,
    }
}

/// The inline Markdown of a `## ` heading as written: `## Give `web` a check ##` and the
/// setext form (text over a `---` line) both give "Give `web` a check".
fn heading_markdown(source: &str) -> String {
    let source = source.trim();
    let text = match source.strip_prefix("##") {
        Some(rest) => {
            // An ATX heading's optional closing sequence: spaces, then only `#`s.
            let rest = rest.trim();
            let without = rest.trim_end_matches('#');
            if without.len() < rest.len() && (without.is_empty() || without.ends_with([' ', '\t']))
            {
                without.to_string()
            } else {
                rest.to_string()
            }
        }
        // Setext: every line but the underline.
        None => {
            let lines: Vec<&str> = source.lines().collect();
            lines[..lines.len().saturating_sub(1)].join(" ")
        }
    };
    text.trim().to_string()
}

fn id_position(node: &Node) -> Option<Pos> {
    node.as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some("id"))
        .map(|(_, v)| v.pos)
}

/// Parse a block's YAML and move its positions to where the block stands in the file.
fn parse_block(
    ctx: &mut Ctx,
    text: &str,
    first_line: u32,
    indent: u32,
    what: &str,
) -> Option<Node> {
    match yaml::parse(text) {
        Ok(mut node) => {
            node.shift(first_line - 1, indent);
            report_duplicates(ctx, &node);
            Some(node)
        }
        Err(e) => {
            syntax_error(ctx, &e, first_line - 1, indent, what);
            None
        }
    }
}

pub(super) fn syntax_error(
    ctx: &mut Ctx,
    e: &yaml::SyntaxError,
    line_offset: u32,
    col_offset: u32,
    what: &str,
) {
    let pos = e
        .pos
        .map(|p| Pos::new(p.line + line_offset, p.col + col_offset))
        .unwrap_or(Pos::new(line_offset + 1, col_offset + 1));
    let d = ctx.error(pos, e.message.clone());
    d.help = e.help.clone();
    // Without a position the reader needs to know which block.
    if e.pos.is_none() {
        d.message = format!("{} (in {what})", e.message);
    }
}

/// Keys written twice in one map: the later one is reported, with where the first is.
pub(super) fn report_duplicates(ctx: &mut Ctx, node: &Node) {
    for (key, first, again) in yaml::duplicates(node) {
        ctx.error(
            again,
            format!(
                "\"{key}\" appears twice in this map (first at line {}): merge them into one",
                first.line
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{heading_markdown, task_title};
    use crate::course::{LoadOptions, parse_lab};
    use crate::model::Part;

    #[test]
    fn task_numbers_in_headings_are_dropped() {
        assert_eq!(
            task_title("Task 1: Run your first containers"),
            "Run your first containers"
        );
        assert_eq!(task_title("Task 12 — Rolling update"), "Rolling update");
        assert_eq!(
            task_title("Task: a healthy database"),
            "Task: a healthy database"
        );
        assert_eq!(task_title("Task 3:"), "Task 3:");
        assert_eq!(task_title("Tasks are fun"), "Tasks are fun");
    }

    #[test]
    fn a_heading_keeps_its_markdown_for_views() {
        assert_eq!(
            heading_markdown("## Give `web` a check ##\n"),
            "Give `web` a check"
        );
        assert_eq!(heading_markdown("##   C# and F#\n"), "C# and F#");
        assert_eq!(
            heading_markdown("Two *lines*\nof title\n---\n"),
            "Two *lines* of title"
        );
    }

    fn check(id: &str) -> String {
        format!("```yaml check\nid: {id}\ntitle: {id}\nfile: {{path: {id}.txt}}\n```\n")
    }

    #[test]
    fn a_section_without_checks_is_text_not_a_task() {
        let text = format!(
            "---\ntitle: T\n---\n# Lab\n\n{}\n## Setup\n\nNo checks here.\n\n## Task 1: Build\n\n{}\n## Going further\n\nRead more.\n\n## Run\n\n{}{}",
            check("whole"),
            check("built"),
            check("ran"),
            check("ran-again"),
        );
        let lab = parse_lab(
            &text,
            "l",
            Path::new("README.md"),
            Path::new("/tmp"),
            &LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let titles: Vec<(usize, &str)> = lab
            .tasks
            .iter()
            .map(|t| (t.number, t.title.as_str()))
            .collect();
        assert_eq!(titles, [(1, "Build"), (2, "Run")]);
        let tasks: Vec<(&str, Option<usize>)> =
            lab.checks.iter().map(|c| (c.id.as_str(), c.task)).collect();
        assert_eq!(
            tasks,
            [
                ("whole", None),
                ("built", Some(0)),
                ("ran", Some(1)),
                ("ran-again", Some(1))
            ]
        );
        let text_of = |p: &Part| match p {
            Part::Text(t) => t.clone(),
            other => format!("{other:?}"),
        };
        let doc: Vec<String> = lab.document.iter().map(text_of).collect();
        assert_eq!(
            doc,
            [
                "# Lab\n\n",
                "Check(0)",
                "\n\n## Setup\n\nNo checks here.\n\n",
                "Task(0)",
                "Check(1)",
                "\n\n## Going further\n\nRead more.\n\n",
                "Task(1)",
                "Check(2)",
                "Check(3)",
            ]
        );
        assert_eq!(lab.intro().len(), 3, "the intro runs up to the first task");
    }
}
