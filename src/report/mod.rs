//! Reports: one serialisable [`Report`] built once from a run, rendered per format
//! (text for people; json, junit, tap, github for machines and CI).

pub mod ci;
pub mod github;
pub mod gradebook;
pub mod json;
pub mod junit;
pub mod tap;
pub mod text;

use std::time::Duration;

use serde::Serialize;

use crate::checks::{CheckResult, Status};
use crate::model::Lab;

/// Bumped when the JSON shape changes incompatibly.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub lab: String,
    pub title: String,
    pub project: String,
    pub status: Status,
    pub score: u32,
    pub max_score: u32,
    pub tasks: Vec<TaskInfo>,
    pub checks: Vec<CheckResult>,
    /// Things to know about this grade that are not checks ("not recorded: …").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip)]
    pub duration: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskInfo {
    pub number: usize,
    pub title: String,
}

/// The formats `--format` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Tap,
    Github,
}

impl Report {
    pub fn new(lab: &Lab, project: &str, checks: Vec<CheckResult>, duration: Duration) -> Report {
        let score = checks.iter().map(|c| c.points).sum();
        let max_score = checks.iter().map(|c| c.max_points).sum();
        let status = if checks
            .iter()
            .any(|c| matches!(c.status, Status::Fail | Status::Blocked))
        {
            Status::Fail
        } else if checks.iter().any(|c| c.status == Status::Error) {
            Status::Error
        } else {
            Status::Pass
        };
        Report {
            lab: lab.id.clone(),
            title: lab.title.clone(),
            project: project.to_string(),
            status,
            score,
            max_score,
            tasks: lab
                .tasks
                .iter()
                .map(|t| TaskInfo {
                    number: t.number,
                    title: t.title.clone(),
                })
                .collect(),
            checks,
            notes: Vec::new(),
            duration,
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// Checks grouped by task, in lab order: `(None, ...)` first for lab-wide checks.
    pub fn by_task(&self) -> Vec<(Option<&TaskInfo>, Vec<&CheckResult>)> {
        let mut groups: Vec<(Option<&TaskInfo>, Vec<&CheckResult>)> = Vec::new();
        for c in &self.checks {
            let task = c.task.and_then(|i| self.tasks.get(i));
            match groups
                .iter_mut()
                .find(|(t, _)| t.map(|t| t.number) == task.map(|t| t.number))
            {
                Some((_, list)) => list.push(c),
                None => groups.push((task, vec![c])),
            }
        }
        groups
    }

    /// Render in a format; `verbose` adds evidence to text.
    pub fn render(&self, format: Format, verbose: bool, style: crate::ui::Style) -> String {
        match format {
            Format::Text => text::render(self, verbose, style),
            Format::Json => json::render(self),
            Format::Junit => junit::render(self),
            Format::Tap => tap::render(self),
            Format::Github => github::render(self).annotations,
        }
    }
}
