//! Running a lab's checks: concurrently where they only look, one at a time where they
//! act (`before:`), each attempt bounded, `eventually` retried, results in lab order. What
//! an acting check changed is put back before the next one runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;

use super::context::RunContext;
use super::outcome::{Outcome, Status};
use super::{actions, kinds};
use crate::model::{Check, Dur};

/// How long past its own timeout an attempt may run before the runner gives up on it.
const GRACE: Duration = Duration::from_millis(1500);

/// The result of one check: what the reports are made of.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    /// Index into the lab's tasks.
    pub task: Option<usize>,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    pub message: String,
    pub hint: Option<String>,
    pub evidence: String,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    pub attempts: u32,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// What happens during a run, for live views (one stream of events, many consumers).
#[derive(Debug)]
pub enum RunEvent<'a> {
    Started {
        total: usize,
    },
    CheckStarted {
        index: usize,
        check: &'a Check,
    },
    CheckFinished {
        index: usize,
        result: &'a CheckResult,
    },
}

/// Run `checks`. At most `concurrency` look-only checks at once; `default_timeout` is the
/// lab's (or lab's default) per-attempt timeout.
pub async fn run_checks(
    ctx: Arc<RunContext>,
    checks: &[Check],
    concurrency: usize,
    on_event: &(dyn Fn(RunEvent) + Sync),
) -> Vec<CheckResult> {
    on_event(RunEvent::Started {
        total: checks.len(),
    });
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    let default_timeout = ctx.default_timeout;

    // Checks that only look can run side by side; checks that act (kill, restart, ...)
    // would disturb the others, so they run afterwards, alone, in lab order.
    let (looking, acting): (Vec<usize>, Vec<usize>) =
        (0..checks.len()).partition(|&i| checks[i].before.is_empty());
    let ctx_ref = &ctx;
    let mut stream = futures_util::stream::iter(looking.into_iter().map(|i| {
        let check = &checks[i];
        async move {
            on_event(RunEvent::CheckStarted { index: i, check });
            (i, run_one(ctx_ref, check, default_timeout).await)
        }
    }))
    .buffer_unordered(concurrency.max(1));
    while let Some((i, r)) = stream.next().await {
        on_event(RunEvent::CheckFinished {
            index: i,
            result: &r,
        });
        results[i] = Some(r);
    }
    drop(stream);
    for i in acting {
        on_event(RunEvent::CheckStarted {
            index: i,
            check: &checks[i],
        });
        let mut r = run_one(&ctx, &checks[i], default_timeout).await;
        // Put back what its actions changed before anything else looks.
        if let Some(engine) = &ctx.engine {
            let problems = ctx.restore.run(engine).await;
            if !problems.is_empty() {
                r.evidence
                    .push_str(&format!("\n[afterwards] {}\n", problems.join("; ")));
            }
        }
        on_event(RunEvent::CheckFinished {
            index: i,
            result: &r,
        });
        results[i] = Some(r);
    }
    results.into_iter().flatten().collect()
}

/// One check: its actions, then attempts until it passes or its time is up.
pub async fn run_one(ctx: &RunContext, check: &Check, default_timeout: Duration) -> CheckResult {
    let timeout = check.timeout.map(|t| t.0).unwrap_or(default_timeout);
    let start = Instant::now();
    let mut attempts = 0;
    let outcome = 'outcome: {
        for action in &check.before {
            let r = tokio::time::timeout(timeout + GRACE, actions::run(ctx, action, timeout)).await;
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => break 'outcome Outcome::error(format!("before the check: {e}")),
                Err(_) => {
                    break 'outcome Outcome::error(format!(
                        "before the check: an action took longer than {}",
                        Dur(timeout)
                    ));
                }
            }
        }
        let deadline = check.eventually.map(|e| Instant::now() + e.0);
        let mut pause = Duration::from_millis(100);
        loop {
            attempts += 1;
            let outcome =
                match tokio::time::timeout(timeout + GRACE, kinds::run(ctx, &check.kind, timeout))
                    .await
                {
                    Ok(o) => o,
                    Err(_) => {
                        Outcome::error(format!("the check did not finish within {}", Dur(timeout)))
                    }
                };
            let done = outcome.status == Status::Pass
                || deadline.is_none_or(|d| Instant::now() + pause >= d);
            if done {
                break 'outcome outcome;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    };
    let passed = outcome.status == Status::Pass;
    CheckResult {
        id: check.id.clone(),
        title: check.title.clone(),
        task: check.task,
        status: outcome.status,
        points: if passed { check.points } else { 0 },
        max_points: check.points,
        message: match (check.eventually, passed, attempts) {
            (Some(e), false, n) if n > 1 => format!(
                "{} (still so after {} and {n} attempts)",
                outcome.message,
                Dur(e.0)
            ),
            _ => outcome.message,
        },
        hint: if passed { None } else { check.hint.clone() },
        evidence: outcome.evidence,
        duration: start.elapsed(),
        attempts,
    }
}
