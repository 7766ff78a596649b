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
    /// The markdown after the front matter, as written.
    #[serde(skip)]
    pub body: String,
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
}

/// A task: a `## ` heading and the checks under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// 1-based, in the order of the headings.
    pub number: usize,
    pub title: String,
    /// Line of the heading in README.md.
    pub line: u32,
}

/// What a student submits for grading (`submission:` in the front matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub stack: Option<String>,
    pub files: Vec<String>,
}
