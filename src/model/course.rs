//! A course and its labs.

use std::path::PathBuf;

use serde::Serialize;

use super::check::Check;
use super::stack::Stack;
use super::units::Dur;

/// The course: `labs/course.yaml` and every lab it lists, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Course {
    /// The folder that holds `labs/`.
    #[serde(skip)]
    pub root: PathBuf,
    /// A short name for labels (`io.lab.course`): `id` in course.yaml, else from the title.
    pub id: String,
    pub title: String,
    pub format_version: u32,
    pub labs: Vec<Lab>,
}

impl Course {
    pub fn lab(&self, id: &str) -> Option<&Lab> {
        self.labs.iter().find(|l| l.id == id)
    }
}

/// One lab: `labs/<id>/README.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lab {
    /// The folder name.
    pub id: String,
    pub title: String,
    pub requires: Vec<String>,
    /// Default timeout of every check in the lab.
    pub timeout: Option<Dur>,
    pub tags: Vec<String>,
    pub submission: Option<Submission>,
    pub tasks: Vec<Task>,
    pub stack: Option<Stack>,
    /// In the order written (and so in task order).
    pub checks: Vec<Check>,
    /// Which version of the lab's checks and stack this is: a digest of what grading reads
    /// (not its prose, nor where blocks sit in the file), so attempts and gradebooks say
    /// which checks graded them.
    pub digest: String,
    /// README.md after the front matter, in order: prose, task headings and blocks, so that
    /// a view renders the lab without parsing its markdown again.
    pub document: Vec<Part>,
    /// The lab's folder; bind mounts and build contexts are relative to it.
    #[serde(skip)]
    pub dir: PathBuf,
}

impl Lab {
    pub fn max_points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub fn readme(&self) -> PathBuf {
        self.dir.join("README.md")
    }

    /// What comes before the first task: the lab's introduction, with its stack and any
    /// lab-wide checks.
    pub fn intro(&self) -> &[Part] {
        let end = self
            .document
            .iter()
            .position(|p| matches!(p, Part::Task(_)))
            .unwrap_or(self.document.len());
        &self.document[..end]
    }
}

/// One piece of a lab's README.md, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Markdown between the other parts, as written. A `## ` section without checks opens no
    /// task (LAB_FORMAT v1.1), so its heading stays here as prose.
    Text(String),
    /// A `## ` heading that opens a task: an index into [`Lab::tasks`].
    Task(usize),
    /// The `yaml stack` block: [`Lab::stack`].
    Stack,
    /// A `yaml check` block: an index into [`Lab::checks`].
    Check(usize),
}

/// A task: a `## ` heading and the checks under it (a heading with no check under it is not
/// a task).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// 1-based, in the order of the headings.
    pub number: usize,
    pub title: String,
    /// The same title as written, inline Markdown (code spans, emphasis), for views that
    /// render it; `title` is its plain text, for reports.
    #[serde(skip)]
    pub markdown: String,
    /// Line of the heading in README.md.
    pub line: u32,
}

/// What a student submits for grading (`submission:` in the front matter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Submission {
    /// Globs, relative to the submission's folder, of what is copied into the workspace.
    pub files: Vec<String>,
    /// The student's script that rebuilds their work on a fresh lab (run only when the
    /// grader trusts submissions).
    pub run: Option<String>,
    /// A stack file (the Compose subset of a lab's stack) applied in the lab's project.
    pub stack: Option<String>,
    /// The whole submission: start, run, checks, stop (default 10 minutes).
    pub timeout: Option<Dur>,
}
