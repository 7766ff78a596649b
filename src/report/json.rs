//! JSON shaped like Exercism's results.json (version 3: status, tests[] in lab order with
//! name, status, message, output capped at 500 characters, task_id), plus score, points,
//! durations and our own format version.

use serde::Serialize;

use super::{REPORT_VERSION, Report};
use crate::checks::Status;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    lab_report_version: u32,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    lab: &'a str,
    title: &'a str,
    project: &'a str,
    score: u32,
    max_score: u32,
    duration_ms: u64,
    tests: Vec<Test<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct Test<'a> {
    name: &'a str,
    id: &'a str,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    points: u32,
    max_points: u32,
    duration_ms: u64,
    attempts: u32,
}

/// Exercism caps `output` at 500 characters.
const OUTPUT_CAP: usize = 500;

pub fn render(r: &Report) -> String {
    let doc = Doc {
        version: 3,
        lab_report_version: REPORT_VERSION,
        status: r.status,
        message: (r.status == Status::Error).then(|| "some checks could not run".to_string()),
        lab: &r.lab,
        title: &r.title,
        project: &r.project,
        score: r.score,
        max_score: r.max_score,
        duration_ms: r.duration.as_millis() as u64,
        notes: &r.notes,
        tests: r
            .checks
            .iter()
            .map(|c| Test {
                name: &c.title,
                id: &c.id,
                status: c.status,
                message: (c.status != Status::Pass).then_some(c.message.as_str()),
                output: (!c.evidence.is_empty()).then(|| {
                    let s: String = c.evidence.chars().take(OUTPUT_CAP).collect();
                    s
                }),
                task_id: c.task.map(|t| t + 1),
                hint: c.hint.as_deref(),
                points: c.points,
                max_points: c.max_points,
                duration_ms: c.duration.as_millis() as u64,
                attempts: c.attempts,
            })
            .collect(),
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
