//! What a grade or a start leaves in the progress store. A store that cannot be opened or
//! written never stops grading: the caller is told why, and says so.

use crate::model::Lab;
use crate::progress::{Attempt, CheckRow, Start, Store, default_path, new_uid, now_ms};
use crate::report::Report;

/// The store at its usual place (`$LAB_HOME`, else the XDG data folder).
pub fn open() -> Result<Store, String> {
    let path = default_path().ok_or_else(|| {
        "there is no home folder to keep it in (set LAB_HOME to a folder)".to_string()
    })?;
    Store::open(&path).map_err(|e| e.to_string())
}

/// The attempt a report is, for the store.
pub fn attempt(course: &str, lab: &Lab, report: &Report, started_ms: i64, source: &str) -> Attempt {
    Attempt {
        uid: new_uid(),
        course: course.to_string(),
        lab: lab.id.clone(),
        lab_digest: lab.digest.clone(),
        project: report.project.clone(),
        source: source.to_string(),
        started_ms,
        finished_ms: now_ms(),
        score: report.score,
        max_score: report.max_score,
        checks: report
            .checks
            .iter()
            .map(|c| CheckRow {
                check: c.id.clone(),
                status: c.status.as_str().to_string(),
                points: c.points,
                max_points: c.max_points,
                duration_ms: u64::try_from(c.duration.as_millis()).unwrap_or(u64::MAX),
            })
            .collect(),
    }
}

/// Record a grade; `Err` says why it was not recorded.
pub fn record(store: Option<&Store>, attempt: &Attempt) -> Result<(), String> {
    match store {
        Some(s) => s.record(attempt).map(|_| ()).map_err(|e| e.to_string()),
        None => open()?
            .record(attempt)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// Record that a lab was started (where the time spent on it begins).
pub fn record_start(course: &str, lab: &Lab) -> Result<(), String> {
    let start = Start {
        uid: new_uid(),
        course: course.to_string(),
        lab: lab.id.clone(),
        at_ms: now_ms(),
    };
    open()?
        .record_start(&start)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
