//! `lab lint [PATH]`: every mistake in a course or a lab, each with file:line:col.

use std::path::{Path, PathBuf};

use super::{Global, context::count};
use crate::course::{
    Diagnostic, Diagnostics, LoadOptions, find_course_root, lint_lab_in_course, load_course_linted,
    load_lab_linted, missing_solutions,
};
use crate::exit;
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A course folder, a lab folder or a lab's README.md (default: the current course).
    path: Option<PathBuf>,
    /// Print JSON (for editors and CI).
    #[arg(long)]
    json: bool,
}

/// What was linted.
enum Scope {
    Course(PathBuf),
    /// A lab folder, and the folder paths are shown relative to.
    Lab(PathBuf, PathBuf),
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let cwd = std::env::current_dir().unwrap_or_default();
    let scope = match scope(global, args.path.as_deref(), &cwd) {
        Ok(s) => s,
        Err(d) => {
            let diags = Diagnostics(vec![d]);
            report(&diags, &cwd, args.json, global, None);
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    };
    let opts = LoadOptions {
        allow_unsafe: global.allow_unsafe,
    };
    let (root, summary, mut diags) = match &scope {
        Scope::Course(root) => match load_course_linted(root, &opts) {
            (Some(c), mut diags) => {
                let checks: usize = c.labs.iter().map(|l| l.checks.len()).sum();
                let points: u32 = c.labs.iter().map(|l| l.max_points()).sum();
                let summary = format!(
                    "course \"{}\": {}, {}, {}",
                    c.title,
                    count(c.labs.len(), "lab"),
                    count(checks, "check"),
                    count(points as usize, "point")
                );
                let ids = c.labs.iter().map(|l| l.id.as_str());
                diags.0.extend(missing_solutions(root, ids));
                (root.clone(), Some(summary), diags)
            }
            (None, diags) => (root.clone(), None, diags),
        },
        Scope::Lab(dir, root) => {
            // Inside a course, a lab is checked as the course checks it.
            let in_course =
                !root.as_os_str().is_empty() && root.join("labs").join("course.yaml").is_file();
            let (lab, mut diags) = if in_course {
                lint_lab_in_course(dir, root, &opts)
            } else {
                load_lab_linted(dir, root, &opts)
            };
            if let Some(l) = &lab
                && in_course
            {
                diags.0.extend(missing_solutions(root, [l.id.as_str()]));
            }
            let summary = lab.map(|l| {
                format!(
                    "lab \"{}\": {}, {}, {}",
                    l.id,
                    count(l.tasks.len(), "task"),
                    count(l.checks.len(), "check"),
                    count(l.max_points() as usize, "point")
                )
            });
            (root.clone(), summary, diags)
        }
    };
    diags.sort();
    report(&diags, &root, args.json, global, summary.as_deref());
    if diags.errors() == 0 && summary.is_some() {
        Ok(exit::OK)
    } else {
        Err(super::CliError::Reported(exit::INVALID_INPUT))
    }
}

fn scope(global: &Global, path: Option<&Path>, cwd: &Path) -> Result<Scope, Diagnostic> {
    let Some(path) = path else {
        return find_course_root(global.course.as_deref(), cwd).map(Scope::Course);
    };
    // A relative path is looked for here first, then in the course `--course` names.
    let in_course = global
        .course
        .as_deref()
        .filter(|_| path.is_relative() && !path.exists())
        .and_then(|c| find_course_root(Some(c), cwd).ok())
        .map(|root| root.join(path))
        .filter(|p| p.exists());
    let path = in_course.as_deref().unwrap_or(path);
    if path.is_file() {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        if path.file_name().is_some_and(|n| n == "course.yaml") {
            return Ok(Scope::Course(
                dir.parent().map(Path::to_path_buf).unwrap_or_default(),
            ));
        }
        if path.file_name().is_some_and(|n| n != "README.md") {
            return Err(Diagnostic::file(
                path,
                "a lab is a folder with a README.md; give the folder or its README.md",
            ));
        }
        return Ok(lab_scope(&dir));
    }
    if path.join("labs").join("course.yaml").is_file() {
        return Ok(Scope::Course(path.to_path_buf()));
    }
    if path.join("course.yaml").is_file() {
        let parent = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".."));
        return Ok(Scope::Course(if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent
        }));
    }
    if path.join("README.md").is_file() {
        return Ok(lab_scope(path));
    }
    if !path.exists() {
        return Err(Diagnostic::file(path, "no such file or folder"));
    }
    Err(Diagnostic::file(
        path,
        "neither a course (labs/course.yaml) nor a lab (README.md)",
    ))
}

/// Show lab paths relative to the course they sit in, else as the user wrote them.
fn lab_scope(dir: &Path) -> Scope {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match find_course_root(None, &abs) {
        Ok(root) => Scope::Lab(abs, root),
        Err(_) => Scope::Lab(dir.to_path_buf(), PathBuf::new()),
    }
}

fn report(diags: &Diagnostics, root: &Path, json: bool, global: &Global, summary: Option<&str>) {
    if json {
        // Version 2: each entry has severity, suggestion and help (null when none).
        let doc = serde_json::json!({
            "version": 2,
            "ok": diags.errors() == 0,
            "errors": diags.errors(),
            "warnings": diags.warnings(),
            "diagnostics": diags,
        });
        output::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
        return;
    }
    let style = Style::detect(global.color, false);
    let mut text = diags.render(root, style.color);
    let warnings = match diags.warnings() {
        0 => String::new(),
        n => style.yellow(&count(n, "warning")),
    };
    if diags.errors() == 0 {
        let mut line = format!("{} {}", style.green("ok"), summary.unwrap_or_default());
        if !warnings.is_empty() {
            line.push_str(&format!(" ({warnings})"));
        }
        text.push_str(&line);
        text.push('\n');
        output::out(&text);
        return;
    }
    let files: std::collections::BTreeSet<&Path> = diags.iter().map(|d| d.file.as_path()).collect();
    let mut found = style.red(&count(diags.errors(), "error"));
    if !warnings.is_empty() {
        found.push_str(&format!(", {warnings}"));
    }
    text.push_str(&format!("{found} in {}\n", count(files.len(), "file")));
    output::out(&text);
}
