//! Where a student stands, from the attempts and starts of the store (plain data in, plain
//! data out): per lab its status, best score, attempts, time spent and last attempt; for
//! the course the totals and the streak of days with work.

use serde::Serialize;

use super::{Attempt, Start};

/// Gaps longer than this between two things a student did are breaks, not work.
pub const IDLE_MS: i64 = 30 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    InProgress,
    Done,
}

impl Status {
    pub fn words(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Done => "done",
        }
    }
}

/// What the course says of a lab now.
#[derive(Debug, Clone)]
pub struct LabInfo {
    pub id: String,
    pub title: String,
    pub max_score: u32,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabProgress {
    pub lab: String,
    pub title: String,
    pub status: Status,
    /// The best score of an attempt at the lab as it is now (its checks unchanged).
    pub best_score: u32,
    pub max_score: u32,
    pub attempts: usize,
    /// From the first start to the last check, breaks over 30 minutes left out.
    pub time_spent_ms: i64,
    pub last_attempt_ms: Option<i64>,
    /// Attempts were made at an earlier version of the lab's checks.
    pub changed_since: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub labs_done: usize,
    pub labs: usize,
    pub score: u32,
    pub max_score: u32,
    pub attempts: usize,
    pub time_spent_ms: i64,
    /// Days in a row, up to today (or yesterday), with at least one attempt.
    pub streak_days: u32,
}

/// Per lab, in the course's order, and the totals. `day_of` gives the (local) day number of
/// a time, so streaks count calendar days where the student is.
pub fn summarize(
    labs: &[LabInfo],
    attempts: &[Attempt],
    starts: &[Start],
    now_ms: i64,
    day_of: &dyn Fn(i64) -> i64,
) -> (Vec<LabProgress>, Totals) {
    let mut out = Vec::new();
    for info in labs {
        let mine: Vec<&Attempt> = attempts.iter().filter(|a| a.lab == info.id).collect();
        let current: Vec<&&Attempt> = mine
            .iter()
            .filter(|a| a.lab_digest == info.digest)
            .collect();
        let best = current.iter().map(|a| a.score).max().unwrap_or(0);
        let started = starts.iter().any(|s| s.lab == info.id);
        let status = if !current.is_empty() && best >= info.max_score {
            Status::Done
        } else if mine.is_empty() && !started {
            Status::NotStarted
        } else {
            Status::InProgress
        };
        let mut moments: Vec<i64> = starts
            .iter()
            .filter(|s| s.lab == info.id)
            .map(|s| s.at_ms)
            .chain(mine.iter().flat_map(|a| [a.started_ms, a.finished_ms]))
            .collect();
        moments.sort_unstable();
        out.push(LabProgress {
            lab: info.id.clone(),
            title: info.title.clone(),
            status,
            best_score: best,
            max_score: info.max_score,
            attempts: mine.len(),
            time_spent_ms: busy_time(&moments),
            last_attempt_ms: mine.iter().map(|a| a.finished_ms).max(),
            changed_since: mine.iter().any(|a| a.lab_digest != info.digest),
        });
    }
    let totals = Totals {
        labs_done: out.iter().filter(|l| l.status == Status::Done).count(),
        labs: out.len(),
        score: out.iter().map(|l| l.best_score).sum(),
        max_score: out.iter().map(|l| l.max_score).sum(),
        attempts: out.iter().map(|l| l.attempts).sum(),
        time_spent_ms: out.iter().map(|l| l.time_spent_ms).sum(),
        streak_days: streak(attempts, now_ms, day_of),
    };
    (out, totals)
}

/// The sum of the gaps between consecutive moments, leaving out breaks.
fn busy_time(sorted: &[i64]) -> i64 {
    sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|gap| *gap <= IDLE_MS)
        .sum()
}

fn streak(attempts: &[Attempt], now_ms: i64, day_of: &dyn Fn(i64) -> i64) -> u32 {
    let mut days: Vec<i64> = attempts.iter().map(|a| day_of(a.finished_ms)).collect();
    days.sort_unstable();
    days.dedup();
    let today = day_of(now_ms);
    let Some(&last) = days.last() else {
        return 0;
    };
    if last < today - 1 {
        return 0;
    }
    let mut n = 1;
    for w in days.windows(2).rev() {
        if w[1] - w[0] == 1 {
            n += 1;
        } else {
            break;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60 * 1000;
    const DAY: i64 = 24 * 60 * MIN;

    fn attempt(lab: &str, digest: &str, at: i64, score: u32) -> Attempt {
        Attempt {
            uid: format!("{lab}-{at}"),
            course: "c".into(),
            lab: lab.into(),
            lab_digest: digest.into(),
            project: lab.into(),
            source: "check".into(),
            started_ms: at - 1000,
            finished_ms: at,
            score,
            max_score: 10,
            checks: Vec::new(),
        }
    }

    fn info(id: &str) -> LabInfo {
        LabInfo {
            id: id.into(),
            title: id.into(),
            max_score: 10,
            digest: "d2".into(),
        }
    }

    #[test]
    fn status_best_time_and_streak() {
        let start = 10 * DAY;
        let starts = vec![Start {
            uid: "s".into(),
            course: "c".into(),
            lab: "w1".into(),
            at_ms: start,
        }];
        let attempts = vec![
            attempt("w1", "d2", start + 10 * MIN, 4),
            attempt("w1", "d2", start + 20 * MIN, 10),
            // A break of two hours is not work.
            attempt("w1", "d2", start + 140 * MIN, 7),
            attempt("w2", "d1", start + DAY, 10),
        ];
        let day = |ms: i64| ms.div_euclid(DAY);
        let (labs, totals) = summarize(
            &[info("w1"), info("w2"), info("w3")],
            &attempts,
            &starts,
            start + DAY + MIN,
            &day,
        );
        assert_eq!(labs[0].status, Status::Done);
        assert_eq!(labs[0].best_score, 10);
        assert_eq!(labs[0].attempts, 3);
        assert_eq!(labs[0].time_spent_ms, 20 * MIN + 1000);
        // w2's only attempt graded an older version of its checks.
        assert_eq!(labs[1].status, Status::InProgress);
        assert!(labs[1].changed_since);
        assert_eq!(labs[2].status, Status::NotStarted);
        assert_eq!(
            (totals.labs_done, totals.labs, totals.streak_days),
            (1, 3, 2)
        );
    }
}
