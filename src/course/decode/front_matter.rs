//! The lab's front matter and the course's `course.yaml`.

use super::{Ctx, Fields, Schema, int, is_kebab, string_list};
use crate::course::yaml::Node;
use crate::model::{Dur, Submission};

const LAB: Schema = Schema::known(&["title", "requires", "timeout", "tags", "submission"]);
const SUBMISSION: Schema = Schema::known(&["files", "run", "stack", "timeout"]);
const COURSE: Schema = Schema::known(&["format_version", "title", "labs", "id"]);

/// The highest format this build of lab reads.
pub const FORMAT_VERSION: u32 = 1;

pub struct LabHeader {
    pub title: Option<String>,
    /// Each with where it was written, for the course-level check that it exists.
    pub requires: Vec<(String, crate::course::yaml::Pos)>,
    pub timeout: Option<Dur>,
    pub tags: Vec<String>,
    pub submission: Option<Submission>,
}

pub fn lab(ctx: &mut Ctx, node: &Node) -> LabHeader {
    let mut h = LabHeader {
        title: None,
        requires: Vec::new(),
        timeout: None,
        tags: Vec::new(),
        submission: None,
    };
    let Some(f) = Fields::open(ctx, node, "the front matter", &LAB, false) else {
        return h;
    };
    h.title = f.req_str(ctx, "title");
    if h.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        ctx.error(
            f.get("title").map(|n| n.pos).unwrap_or(f.pos),
            "the lab's title is empty",
        );
    }
    if let Some(n) = f.get("requires") {
        match n.as_seq() {
            Some(items) => {
                for item in items {
                    if let Some(id) = super::string(ctx, item, "\"requires\"") {
                        h.requires.push((id, item.pos));
                    }
                }
            }
            None => {
                ctx.error(
                    n.pos,
                    format!(
                        "expected a list of lab ids for \"requires\", found {}",
                        n.kind_name()
                    ),
                );
            }
        }
    }
    h.timeout = f.dur(ctx, "timeout");
    h.tags = f.str_list(ctx, "tags");
    h.submission = f.get("submission").and_then(|n| submission(ctx, n));
    h
}

/// `submission:` (LAB_FORMAT §6): globs that compile, paths that stay inside the
/// submission's folder, a positive time limit.
fn submission(ctx: &mut Ctx, node: &Node) -> Option<Submission> {
    let s = Fields::open(ctx, node, "\"submission\"", &SUBMISSION, false)?;
    let mut ok = true;
    let files = s.str_list(ctx, "files");
    if let Some(list) = s.get("files").and_then(Node::as_seq) {
        for (glob, item) in files.iter().zip(list) {
            if let Err(e) = globset::Glob::new(glob) {
                ctx.error(item.pos, format!("\"{glob}\" is not a valid pattern: {e}"));
                ok = false;
            } else if escapes(glob) {
                ctx.error(
                    item.pos,
                    format!("\"{glob}\" leaves the submission's folder; name files inside it"),
                );
                ok = false;
            }
        }
    }
    let mut path = |key: &str| -> Option<String> {
        let n = s.get(key)?;
        let p = s.str(ctx, key)?;
        if escapes(&p) || p.trim().is_empty() {
            ctx.error(
                n.pos,
                format!("\"{key}\" must name a file inside the submission's folder, not \"{p}\""),
            );
            ok = false;
            return None;
        }
        Some(p)
    };
    let run = path("run");
    let stack = path("stack");
    let timeout = s.dur(ctx, "timeout");
    if timeout.is_some_and(|t| t.0.is_zero())
        && let Some(n) = s.get("timeout")
    {
        ctx.error(
            n.pos,
            "the submission's \"timeout\" must be longer than zero",
        );
        ok = false;
    }
    ok.then_some(Submission {
        files,
        run,
        stack,
        timeout,
    })
}

/// An absolute path, or one that climbs out with `..`.
fn escapes(p: &str) -> bool {
    let path = std::path::Path::new(p);
    path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

pub struct CourseHeader {
    pub format_version: Option<u32>,
    pub title: Option<String>,
    pub id: Option<String>,
    pub labs: Vec<(String, crate::course::yaml::Pos)>,
}

pub fn course(ctx: &mut Ctx, node: &Node) -> CourseHeader {
    let mut h = CourseHeader {
        format_version: None,
        title: None,
        id: None,
        labs: Vec::new(),
    };
    let Some(f) = Fields::open(ctx, node, "course.yaml", &COURSE, false) else {
        return h;
    };
    if let Some(n) = f.required(ctx, "format_version")
        && let Some(v) = int(ctx, n, "\"format_version\"", 0, i64::from(u32::MAX))
    {
        let v = v as u32;
        if v > FORMAT_VERSION {
            ctx.error(n.pos, format!("this course is written for lab format version {v}; this lab reads version {FORMAT_VERSION}"))
                    .help = Some("install a newer lab to use this course".into());
        } else if v == 0 {
            ctx.error(n.pos, "format_version starts at 1");
        } else {
            h.format_version = Some(v);
        }
    }
    h.title = f.req_str(ctx, "title");
    h.id = f.get("id").and_then(|n| {
        let id = super::string(ctx, n, "\"id\" of the course")?;
        if !is_kebab(&id) {
            ctx.error(n.pos, format!("course id \"{id}\" must be kebab-case"));
            return None;
        }
        Some(id)
    });
    if let Some(n) = f.required(ctx, "labs") {
        if n.as_seq().is_none() {
            ctx.error(
                n.pos,
                format!(
                    "expected a list of lab folders for \"labs\", found {}",
                    n.kind_name()
                ),
            );
        } else {
            let names = string_list(ctx, n, "\"labs\"");
            for (name, item) in names.into_iter().zip(n.as_seq().unwrap_or_default()) {
                h.labs.push((name, item.pos));
            }
        }
    }
    h
}
