//! Where a student stands in a course, from the progress store: what `lab progress`,
//! `lab list` and `lab start` (for a lab's `requires`) show.

use crate::model::Course;
use crate::progress::summary::{LabInfo, LabProgress, Totals, summarize};
use crate::progress::{Store, StoreError, now_ms};

/// The course's labs as the store sees them, and the totals.
pub fn standing(store: &Store, course: &Course) -> Result<(Vec<LabProgress>, Totals), StoreError> {
    let attempts = store.attempts(&course.id, None)?;
    let starts = store.starts(&course.id, None)?;
    let labs: Vec<LabInfo> = course
        .labs
        .iter()
        .map(|l| LabInfo {
            id: l.id.clone(),
            title: l.title.clone(),
            max_score: l.max_points(),
            digest: l.digest.clone(),
        })
        .collect();
    Ok(summarize(&labs, &attempts, &starts, now_ms(), &local_day))
}

/// The day (in the student's time zone) a moment falls on, as a day number.
pub fn local_day(ms: i64) -> i64 {
    let tz = jiff::tz::TimeZone::system();
    // Days since the epoch, counted on the local clock: consecutive local days differ by 1.
    let offset_ms = jiff::Timestamp::from_millisecond(ms)
        .map(|t| i64::from(tz.to_offset(t).seconds()) * 1000)
        .unwrap_or(0);
    (ms + offset_ms).div_euclid(86_400_000)
}

/// A moment as the student reads it: `2026-11-28 20:31` in their time zone.
pub fn local_time(ms: i64) -> String {
    let tz = jiff::tz::TimeZone::system();
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// `1h 05m`, `12m`, `40s`.
pub fn duration_words(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, (s % 3600) / 60) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h {m:02}m"),
    }
}
