//! Running a lab's checks: concurrently where they only look, one at a time where they
//! act (`before:`), each attempt bounded, `eventually` retried, results in lab order. What
//! an acting check changed is put back before the next one runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::Serialize;

use super::context::RunContext;
use super::outcome::{Outcome, Status};
use super::{actions, kinds};
use crate::model::{Action, Check, Dur};

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

/// Run `checks`. Checks that only look run side by side, at most `concurrency` at once;
/// checks that act (`before:`) run alone, in lab order, once nothing else runs, and what
/// they changed is put back before anything else looks. A check runs only after the checks
/// it `needs`; if one of those did not pass, it is `blocked` and not run at all.
pub async fn run_checks(
    ctx: Arc<RunContext>,
    checks: &[Check],
    concurrency: usize,
    on_event: &(dyn Fn(RunEvent) + Sync),
) -> Vec<CheckResult> {
    on_event(RunEvent::Started {
        total: checks.len(),
    });
    let mut plan = Schedule::new(checks);
    let default_timeout = ctx.default_timeout;
    let ctx_ref = &ctx;
    let mut running = FuturesUnordered::new();
    loop {
        // What can be decided without running: checks blocked by a need that did not pass,
        // and then the checks that need those (a chain is blocked to its end).
        loop {
            let blocked = plan.blocked();
            if blocked.is_empty() {
                break;
            }
            for (i, r) in blocked {
                on_event(RunEvent::CheckStarted {
                    index: i,
                    check: &checks[i],
                });
                on_event(RunEvent::CheckFinished {
                    index: i,
                    result: &r,
                });
                plan.done(i, r);
            }
        }
        // Looking checks whose needs passed, as many as may run at once.
        while running.len() < concurrency.max(1) {
            let Some(i) = plan.next_ready(|c| !c.acts()) else {
                break;
            };
            let check = &checks[i];
            on_event(RunEvent::CheckStarted { index: i, check });
            running.push(async move { (i, run_one(ctx_ref, check, default_timeout).await) });
        }
        if let Some((i, r)) = running.next().await {
            on_event(RunEvent::CheckFinished {
                index: i,
                result: &r,
            });
            plan.done(i, r);
            continue;
        }
        // Nothing looking is left to run: the next acting check, alone.
        let Some(i) = plan.next_ready(Check::acts) else {
            break;
        };
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
        plan.done(i, r);
    }
    plan.finish()
}

/// Which checks are done, and which may run next.
struct Schedule<'c> {
    checks: &'c [Check],
    /// Per check, the indices of the checks it needs.
    needs: Vec<Vec<usize>>,
    started: Vec<bool>,
    results: Vec<Option<CheckResult>>,
}

impl<'c> Schedule<'c> {
    fn new(checks: &'c [Check]) -> Self {
        let index = |id: &String| checks.iter().position(|c| &c.id == id);
        Schedule {
            checks,
            // An id that is not among the checks run (lint refuses unknown ids; `--only`
            // may leave one out) does not hold anything up.
            needs: checks
                .iter()
                .map(|c| c.needs.iter().filter_map(index).collect())
                .collect(),
            started: vec![false; checks.len()],
            results: vec![None; checks.len()],
        }
    }

    fn needs_done(&self, i: usize) -> bool {
        self.needs[i].iter().all(|j| self.results[*j].is_some())
    }

    fn needs_passed(&self, i: usize) -> bool {
        self.needs[i].iter().all(|j| {
            self.results[*j]
                .as_ref()
                .is_some_and(|r| r.status == Status::Pass)
        })
    }

    /// The first check not started whose needs all passed and that `fits`.
    fn next_ready(&mut self, fits: impl Fn(&Check) -> bool) -> Option<usize> {
        let i = (0..self.checks.len()).find(|&i| {
            !self.started[i] && self.needs_done(i) && self.needs_passed(i) && fits(&self.checks[i])
        })?;
        self.started[i] = true;
        Some(i)
    }

    /// Checks whose needs are done and did not all pass: blocked, with the result to report.
    fn blocked(&mut self) -> Vec<(usize, CheckResult)> {
        let mut out = Vec::new();
        for i in 0..self.checks.len() {
            if self.started[i] || !self.needs_done(i) || self.needs_passed(i) {
                continue;
            }
            self.started[i] = true;
            let root = self.root_blocker(i);
            out.push((i, blocked_result(&self.checks[i], &self.checks[root])));
        }
        out
    }

    /// The check at the start of the chain that blocks `i`: the first need that did not
    /// pass, followed through needs that were themselves blocked.
    fn root_blocker(&self, mut i: usize) -> usize {
        for _ in 0..self.checks.len() {
            let Some(j) = self.needs[i].iter().copied().find(|j| {
                self.results[*j]
                    .as_ref()
                    .is_some_and(|r| r.status != Status::Pass)
            }) else {
                break;
            };
            i = j;
            if self.results[j]
                .as_ref()
                .is_some_and(|r| r.status != Status::Blocked)
            {
                break;
            }
        }
        i
    }

    fn done(&mut self, i: usize, r: CheckResult) {
        self.results[i] = Some(r);
    }

    /// Results in lab order; a check that could never run (its needs go round in a circle,
    /// which lint refuses) is reported as an error rather than left out.
    fn finish(self) -> Vec<CheckResult> {
        self.results
            .into_iter()
            .zip(self.checks)
            .map(|(r, c)| {
                r.unwrap_or_else(|| {
                    result_of(
                        c,
                        Outcome::error("it was never run: its needs go round in a circle"),
                        0,
                        Duration::ZERO,
                    )
                })
            })
            .collect()
    }
}

/// "blocked by <id>": not run, no points, with the blocking check's hint.
fn blocked_result(check: &Check, by: &Check) -> CheckResult {
    let mut r = result_of(
        check,
        Outcome {
            status: Status::Blocked,
            message: format!("blocked by {} ({})", by.id, by.title),
            evidence: String::new(),
            conclusive: true,
        },
        0,
        Duration::ZERO,
    );
    r.hint = by.hint.clone().or_else(|| check.hint.clone());
    r
}

/// One check: its actions, then attempts until it passes or its time is up.
pub async fn run_one(ctx: &RunContext, check: &Check, default_timeout: Duration) -> CheckResult {
    let timeout = check.timeout.map(|t| t.0).unwrap_or(default_timeout);
    let start = Instant::now();
    let mut attempts = 0;
    // What `after:` does is registered first, so it runs even if the check is interrupted,
    // and last, once what the actions below changed has been put back.
    for action in &check.after {
        if let Err(e) = actions::register_after(ctx, action).await {
            return result_of(
                check,
                Outcome::error(format!("preparing what to do afterwards: {e}")),
                0,
                start.elapsed(),
            );
        }
    }
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
        // A program a `before:` action ran (a student's script) may still be making what
        // the check looks for, in the background: then nothing is settled until the end.
        let may_create = check
            .before
            .iter()
            .any(|a| matches!(a, Action::Exec(_) | Action::Command(_)));
        let mut pause = Duration::ZERO;
        loop {
            attempts += 1;
            let tried = Instant::now();
            let outcome =
                match tokio::time::timeout(timeout + GRACE, kinds::run(ctx, &check.kind, timeout))
                    .await
                {
                    Ok(o) => o,
                    Err(_) => {
                        Outcome::error(format!("the check did not finish within {}", Dur(timeout)))
                    }
                };
            // A fail that waiting cannot change ends it at once: what the student is to
            // create does not exist (no action of ours creates anything), or a container
            // is stopped with no restart policy to bring it back.
            let settled = outcome.status == Status::Fail && outcome.conclusive && !may_create;
            pause = next_pause(pause, tried.elapsed());
            let done = outcome.status == Status::Pass
                || settled
                || deadline.is_none_or(|d| Instant::now() + pause >= d);
            if done {
                break 'outcome outcome;
            }
            tokio::time::sleep(pause).await;
        }
    };
    result_of(check, outcome, attempts, start.elapsed())
}

/// The pause before an `eventually` check's next attempt. What it waits for often comes
/// true within a second (a poll, a restart), and every moment between that and the next
/// look is time the student or the grader waits for nothing: the pauses start short and
/// grow slowly to half a second. An attempt that itself takes long (an exec, a session)
/// is followed by a pause as long, up to a second, so a long wait keeps the engine at most
/// half busy (for attempts up to a second).
fn next_pause(last: Duration, attempt: Duration) -> Duration {
    const FIRST: Duration = Duration::from_millis(100);
    const MOST: Duration = Duration::from_millis(500);
    let grown = if last.is_zero() {
        FIRST
    } else {
        last.mul_f32(1.5).min(MOST)
    };
    grown.max(attempt.min(Duration::from_secs(1)))
}

fn result_of(check: &Check, outcome: Outcome, attempts: u32, duration: Duration) -> CheckResult {
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
        duration,
        attempts,
    }
}

#[cfg(test)]
mod tests {
    use super::next_pause;
    use std::time::Duration;

    #[test]
    fn eventually_looks_again_soon_and_never_keeps_the_engine_busy() {
        let ms = Duration::from_millis;
        let mut pause = Duration::ZERO;
        let mut seen = Vec::new();
        for _ in 0..6 {
            pause = next_pause(pause, ms(2));
            seen.push(pause.as_millis());
        }
        assert_eq!(seen, [100, 150, 225, 337, 500, 500]);
        // An attempt that took long is followed by as long a pause, up to a second.
        assert_eq!(next_pause(ms(100), ms(700)), ms(700));
        assert_eq!(next_pause(ms(500), ms(5000)), ms(1000));
    }
}
