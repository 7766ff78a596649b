//! Reading a course from disk: find it, read each file safely, decode, cross-check.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::decode::Ctx;
use super::decode::front_matter::{self, CourseHeader};
use super::diag::{Diagnostic, Diagnostics, nearest};
use super::lab::{Requires, decode_lab, syntax_error};
use super::yaml::{self, Pos};
use crate::model::{Course, Lab};

pub use super::lab::task_title;

/// Labs are prose with a few YAML blocks; anything this large is a mistake (or an attack).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// How to load.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Lift the safety policy (privileged, host namespaces, binds outside the lab folder,
    /// the docker socket).
    pub allow_unsafe: bool,
}

/// The folder holding `labs/course.yaml`, from `explicit` (`--course`, `LAB_COURSE`) or by
/// walking up from `start`.
pub fn find_course_root(explicit: Option<&Path>, start: &Path) -> Result<PathBuf, Diagnostic> {
    if let Some(dir) = explicit {
        // Absolute, so that solutions and builds run from other folders still find it.
        let dir = &std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        if dir.join("labs").join("course.yaml").is_file() {
            return Ok(dir.to_path_buf());
        }
        if dir.file_name().is_some_and(|n| n == "labs") && dir.join("course.yaml").is_file() {
            return Ok(dir.parent().map(Path::to_path_buf).unwrap_or_default());
        }
        return Err(
            Diagnostic::file(dir, "no course here: labs/course.yaml does not exist")
                .help("point --course (or LAB_COURSE) at the folder that holds labs/course.yaml"),
        );
    }
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join("labs").join("course.yaml").is_file() {
            return Ok(d.to_path_buf());
        }
        dir = d.parent();
    }
    Err(Diagnostic::file(
        start,
        "no course found: no labs/course.yaml here or in any parent folder",
    )
    .help("run lab inside a course, or pass --course DIR (or set LAB_COURSE)"))
}

/// Read a file as UTF-8 text, refusing what is too large or not text.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Diagnostic::file(shown, format!("cannot read: {}", io_reason(&e))))?;
    if meta.is_dir() {
        return Err(Diagnostic::file(shown, "is a folder, not a file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            shown,
            format!(
                "is {} MiB; lab files may be at most {} MiB",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::file(shown, format!("cannot read: {}", io_reason(&e))))?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8 by construction.
        let prefix = std::str::from_utf8(good).unwrap_or_default();
        let line = prefix.matches('\n').count() as u32 + 1;
        let col = prefix
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0) as u32
            + 1;
        Diagnostic::at(
            shown,
            Pos::new(line, col),
            "the file is not valid UTF-8 text",
        )
        .help("save the file as UTF-8")
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Load the whole course. Every mistake of every file is reported at once.
pub fn load_course(root: &Path, opts: &LoadOptions) -> Result<Course, Diagnostics> {
    let (course, diags) = load_course_partial(root, opts);
    or_errors(course, diags)
}

/// As [`load_course`], for `lab lint`: the course when it has no errors, and every
/// diagnostic, warnings included.
pub fn load_course_linted(root: &Path, opts: &LoadOptions) -> (Option<Course>, Diagnostics) {
    let (course, diags) = load_course_partial(root, opts);
    unless_errors(course, diags)
}

/// What was loaded when none of its diagnostics is an error, and the diagnostics sorted.
fn unless_errors<T>(loaded: Option<T>, diags: Vec<Diagnostic>) -> (Option<T>, Diagnostics) {
    let mut d = Diagnostics(diags);
    d.sort();
    (loaded.filter(|_| d.errors() == 0), d)
}

/// As [`unless_errors`], as a result: the diagnostics when there is nothing to use.
fn or_errors<T>(loaded: Option<T>, diags: Vec<Diagnostic>) -> Result<T, Diagnostics> {
    let (loaded, d) = unless_errors(loaded, diags);
    loaded.ok_or(d)
}

/// `labs/course.yaml` decoded, with its mistakes.
fn course_header(root: &Path, opts: &LoadOptions) -> (Option<CourseHeader>, Vec<Diagnostic>) {
    let shown = PathBuf::from("labs").join("course.yaml");
    let text = match read_text(&root.join(&shown), &shown) {
        Ok(t) => t,
        Err(d) => return (None, vec![d]),
    };
    let mut ctx = Ctx::new(&shown, root, opts.allow_unsafe);
    let node = match yaml::parse(&text) {
        Ok(n) => {
            super::lab::report_duplicates(&mut ctx, &n);
            n
        }
        Err(e) => {
            syntax_error(&mut ctx, &e, 0, 0, "course.yaml");
            return (None, ctx.diags);
        }
    };
    if node.is_null() {
        ctx.error(
            Pos::new(1, 1),
            "course.yaml is empty; it needs format_version, title and labs",
        );
        return (None, ctx.diags);
    }
    let header = front_matter::course(&mut ctx, &node);
    (Some(header), ctx.diags)
}

fn load_course_partial(root: &Path, opts: &LoadOptions) -> (Option<Course>, Vec<Diagnostic>) {
    let shown = PathBuf::from("labs").join("course.yaml");
    let (header, mut diags) = course_header(root, opts);
    let Some(header) = header else {
        return (None, diags);
    };

    let lab_ids: Vec<String> = header.labs.iter().map(|(id, _)| id.clone()).collect();
    let mut seen = BTreeSet::new();
    let mut labs = Vec::new();
    let mut requires = Vec::new();
    for (id, pos) in &header.labs {
        if !seen.insert(id.clone()) {
            diags.push(Diagnostic::at(
                &shown,
                *pos,
                format!("lab \"{id}\" is listed twice"),
            ));
            continue;
        }
        if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
            diags.push(Diagnostic::at(
                &shown,
                *pos,
                format!("\"{id}\" is not a lab folder name (one folder under labs/)"),
            ));
            continue;
        }
        let dir = root.join("labs").join(id);
        if !dir.join("README.md").is_file() {
            let mut d = Diagnostic::at(
                &shown,
                *pos,
                format!("lab \"{id}\" is listed, but labs/{id}/README.md does not exist"),
            );
            // Suggest only folders that are labs and not listed already.
            let existing: Vec<String> = existing_lab_dirs(root)
                .into_iter()
                .filter(|d| !lab_ids.contains(d))
                .collect();
            let refs: Vec<&str> = existing.iter().map(String::as_str).collect();
            if let Some(near) = nearest(id, &refs) {
                d = d.suggest(format!("did you mean \"{near}\"?"));
            }
            diags.push(d);
            continue;
        }
        let (lab, reqs, mut lab_diags) = load_lab_at(&dir, root, id, opts);
        diags.append(&mut lab_diags);
        if let Some(lab) = lab {
            requires.push((id.clone(), reqs));
            labs.push(lab);
        }
    }
    for (id, reqs) in requires {
        diags.extend(check_requires(&id, &reqs, &lab_ids));
    }
    let (Some(format_version), Some(title)) = (header.format_version, header.title) else {
        return (None, diags);
    };
    let id = header.id.unwrap_or_else(|| slug(&title));
    (
        Some(Course {
            root: root.to_path_buf(),
            id,
            title,
            format_version,
            labs,
        }),
        diags,
    )
}

/// `requires` must name labs of this course, and not the lab itself.
fn check_requires(id: &str, reqs: &Requires, lab_ids: &[String]) -> Vec<Diagnostic> {
    let file = PathBuf::from("labs").join(id).join("README.md");
    let mut out = Vec::new();
    for (req, pos) in reqs {
        if !lab_ids.contains(req) {
            let refs: Vec<&str> = lab_ids.iter().map(String::as_str).collect();
            let mut d = Diagnostic::at(
                &file,
                *pos,
                format!("lab \"{id}\" requires \"{req}\", which is not a lab of this course"),
            );
            if let Some(near) = nearest(req, &refs) {
                d = d.suggest(format!("did you mean \"{near}\"?"));
            }
            out.push(d);
        } else if req == id {
            out.push(Diagnostic::at(
                &file,
                *pos,
                format!("lab \"{id}\" requires itself"),
            ));
        }
    }
    out
}

/// Lint one lab of the course at `root` as the course would: its `requires` are checked
/// against the course's labs, and a lab the course does not list is said so (a warning).
/// Returns the lab when it has no errors, and every diagnostic, warnings included.
pub fn lint_lab_in_course(
    dir: &Path,
    root: &Path,
    opts: &LoadOptions,
) -> (Option<Lab>, Diagnostics) {
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (lab, reqs, mut diags) = load_lab_at(dir, root, &id, opts);
    let (header, mut course_diags) = course_header(root, opts);
    diags.append(&mut course_diags);
    if let Some(header) = header {
        let lab_ids: Vec<String> = header.labs.iter().map(|(l, _)| l.clone()).collect();
        diags.extend(check_requires(&id, &reqs, &lab_ids));
        if !lab_ids.contains(&id) {
            diags.push(
                Diagnostic::file(
                    &PathBuf::from("labs").join(&id).join("README.md"),
                    format!(
                        "lab \"{id}\" is not listed in labs/course.yaml, so students do not see it"
                    ),
                )
                .help(format!("add {id} to the labs: list of labs/course.yaml"))
                .warning(),
            );
        }
    }
    unless_errors(lab, diags)
}

/// A warning for each lab without `solutions/<id>/solve.sh`: `lab verify` needs one.
pub fn missing_solutions<'a>(
    root: &Path,
    ids: impl IntoIterator<Item = &'a str>,
) -> Vec<Diagnostic> {
    ids.into_iter()
        .filter(|id| !root.join("solutions").join(id).join("solve.sh").is_file())
        .map(|id| {
            Diagnostic::file(
                &PathBuf::from("labs").join(id).join("README.md"),
                format!("lab \"{id}\" has no solutions/{id}/solve.sh (lab verify needs it)"),
            )
            .help(format!(
                "write solutions/{id}/solve.sh: a script that brings a fresh lab to its solved state"
            ))
            .warning()
        })
        .collect()
}

fn existing_lab_dirs(root: &Path) -> Vec<String> {
    std::fs::read_dir(root.join("labs"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("README.md").is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `Container Orchestration` → `container-orchestration`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let s = out.trim_end_matches('-').to_string();
    if s.is_empty() { "course".into() } else { s }
}

/// Load one lab folder. `root` is the course root (for the paths shown), or the lab's
/// parent's parent when linting a lab outside a course.
pub fn load_lab(dir: &Path, root: &Path, opts: &LoadOptions) -> Result<Lab, Diagnostics> {
    let (lab, d) = load_lab_linted(dir, root, opts);
    lab.ok_or(d)
}

/// As [`load_lab`], for `lab lint`: the lab when it has no errors, and every diagnostic,
/// warnings included.
pub fn load_lab_linted(dir: &Path, root: &Path, opts: &LoadOptions) -> (Option<Lab>, Diagnostics) {
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (lab, _, diags) = load_lab_at(dir, root, &id, opts);
    unless_errors(lab, diags)
}

/// Decode a lab's README.md from text alone (no disk access): what the fuzzer
/// and editor integrations call. `file` is how the file is named in diagnostics.
pub fn parse_lab(
    text: &str,
    id: &str,
    file: &Path,
    lab_dir: &Path,
    opts: &LoadOptions,
) -> Result<Lab, Diagnostics> {
    let mut ctx = Ctx::new(file, lab_dir, opts.allow_unsafe);
    let lab = decode_lab(&mut ctx, text, id, lab_dir).map(|(l, _)| l);
    or_errors(lab, ctx.diags)
}

/// Decode a stack file (a submission's `stack.yaml`: the Compose subset of a lab's stack
/// block) under the same rules and safety policy; `file` names it in diagnostics and
/// `base` is the folder its bind mounts and build contexts are relative to.
pub fn parse_stack(
    text: &str,
    file: &Path,
    base: &Path,
    opts: &LoadOptions,
) -> Result<crate::model::Stack, Diagnostics> {
    let mut ctx = Ctx::new(file, base, opts.allow_unsafe);
    let stack = match super::yaml::parse(text) {
        Ok(node) if node.is_null() => {
            ctx.error(Pos::new(1, 1), "the stack file is empty");
            None
        }
        Ok(node) => {
            super::lab::report_duplicates(&mut ctx, &node);
            super::decode::stack::decode(&mut ctx, &node)
        }
        Err(e) => {
            super::lab::syntax_error(&mut ctx, &e, 0, 0, "the stack file");
            None
        }
    };
    or_errors(stack, ctx.diags)
}

fn load_lab_at(
    dir: &Path,
    root: &Path,
    id: &str,
    opts: &LoadOptions,
) -> (Option<Lab>, Requires, Vec<Diagnostic>) {
    let readme = dir.join("README.md");
    let shown = readme
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| readme.clone());
    let text = match read_text(&readme, &shown) {
        Ok(t) => t,
        Err(d) => return (None, Vec::new(), vec![d]),
    };
    let mut ctx = Ctx::new(&shown, dir, opts.allow_unsafe);
    let lab = decode_lab(&mut ctx, &text, id, dir);
    let (lab, reqs) = match lab {
        Some((l, r)) => (Some(l), r),
        None => (None, Vec::new()),
    };
    (lab, reqs, ctx.diags)
}
