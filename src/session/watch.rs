//! `lab watch`: grade, then grade again whenever something a check looks at may have
//! changed, until interrupted. One grade at a time; each re-grade runs the checks whose
//! inputs could have changed (and what they need, and what needs them), and merges their
//! results into the last report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Events;
use super::grade::{GradeError, GradeOptions, grade};
use super::triggers;
pub use super::triggers::Cause;
use crate::checks::{CheckResult, Status};
use crate::engine::Engine;
use crate::model::{Action, Check, CheckKind, Lab, Target};
use crate::report::Report;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub grade: GradeOptions,
    /// How often the checks that do not pass are graded again anyway (time-based state).
    pub tick: Duration,
    /// Changes closer together than this make one re-grade.
    pub debounce: Duration,
    /// Poll the workspace at this interval instead of native file events.
    pub poll: Option<Duration>,
}

/// One re-grade, for whoever shows it.
#[derive(Debug, Clone)]
pub struct Regrade {
    pub at_ms: i64,
    pub cause: Cause,
    /// The lab as it stands: the checks run now merged with the earlier ones.
    pub report: Report,
    /// Checks that pass now and did not before.
    pub newly_passed: Vec<String>,
    /// Whether any check's status changed.
    pub changed: bool,
    /// Milliseconds since the Unix epoch when grading began.
    pub started_ms: i64,
    /// The workspace is polled (its file system sends no change events).
    pub polling: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(transparent)]
    Grade(#[from] GradeError),
    #[error("could not watch the workspace {}: {source}", .path.display())]
    Files {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
}

/// Watch until `cancel`; `on_regrade` is called after every grade (the first one too).
pub async fn watch(
    engine: &Engine,
    lab: &Lab,
    opts: &WatchOptions,
    on_regrade: &mut (dyn FnMut(&Regrade) + Send),
    cancel: &CancellationToken,
) -> Result<(), WatchError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let docker = triggers::engine(engine.clone(), tx.clone());
    let files =
        triggers::files(&opts.grade.workspace, opts.poll, tx.clone()).map_err(|source| {
            WatchError::Files {
                path: opts.grade.workspace.clone(),
                source,
            }
        })?;
    let ticker = {
        let (tx, every) = (tx.clone(), opts.tick);
        tokio::spawn(async move {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                t.tick().await;
                if tx.send(Cause::Tick).is_err() {
                    return;
                }
            }
        })
    };
    let polling = files.polling;
    let result = run(engine, lab, opts, &mut rx, on_regrade, polling, cancel).await;
    drop(files);
    docker.abort();
    ticker.abort();
    result
}

async fn run(
    engine: &Engine,
    lab: &Lab,
    opts: &WatchOptions,
    rx: &mut mpsc::UnboundedReceiver<Cause>,
    on_regrade: &mut (dyn FnMut(&Regrade) + Send),
    polling: bool,
    cancel: &CancellationToken,
) -> Result<(), WatchError> {
    let mut last: BTreeMap<String, CheckResult> = BTreeMap::new();
    let all: BTreeSet<String> = lab.checks.iter().map(|c| c.id.clone()).collect();
    let mut files = triggers::snapshot(&opts.grade.workspace);
    let mut pending: BTreeSet<Cause> = BTreeSet::from([Cause::Start]);
    loop {
        if !pending.is_empty() {
            let cause = *pending.iter().next().unwrap_or(&Cause::Tick);
            let ids = to_run(lab, &pending, &last, &all);
            pending.clear();
            if !ids.is_empty() {
                let mut regrade =
                    regrade(engine, lab, opts, &ids, cause, &mut last, cancel).await?;
                // The workspace as grading left it, taken before anyone is told (who may
                // change it at once).
                files = triggers::snapshot(&opts.grade.workspace);
                regrade.polling = polling;
                on_regrade(&regrade);
            }
        }
        // Wait for the next change; then let a burst of changes settle into one re-grade.
        let first = tokio::select! {
            c = rx.recv() => c,
            _ = cancel.cancelled() => return Ok(()),
        };
        let Some(first) = first else {
            return Ok(());
        };
        pending.insert(first);
        let settle = tokio::time::sleep(opts.debounce);
        tokio::pin!(settle);
        loop {
            tokio::select! {
                _ = &mut settle => break,
                Some(c) = rx.recv() => { pending.insert(c); }
                _ = cancel.cancelled() => return Ok(()),
            }
        }
        // File events that only grading's own writes explain are not a change.
        if pending.contains(&Cause::File) {
            let now = triggers::snapshot(&opts.grade.workspace);
            if now == files {
                pending.remove(&Cause::File);
            }
        }
    }
}

async fn regrade(
    engine: &Engine,
    lab: &Lab,
    opts: &WatchOptions,
    ids: &BTreeSet<String>,
    cause: Cause,
    last: &mut BTreeMap<String, CheckResult>,
    cancel: &CancellationToken,
) -> Result<Regrade, WatchError> {
    let started_ms = crate::progress::now_ms();
    let began = std::time::Instant::now();
    let mut g = opts.grade.clone();
    g.only = ids.iter().cloned().collect();
    let report = grade(Some(engine), lab, &g, &Events::default(), cancel).await?;
    let mut newly_passed = Vec::new();
    let mut changed = last.is_empty();
    for r in report.checks {
        let before = last.get(&r.id).map(|p| p.status);
        if before != Some(r.status) {
            changed = true;
            if r.status == Status::Pass && before.is_some() {
                newly_passed.push(r.id.clone());
            }
        }
        last.insert(r.id.clone(), r);
    }
    let merged: Vec<CheckResult> = lab
        .checks
        .iter()
        .filter_map(|c| last.get(&c.id).cloned())
        .collect();
    Ok(Regrade {
        at_ms: crate::progress::now_ms(),
        cause,
        report: Report::new(lab, &opts.grade.project, merged, began.elapsed()),
        newly_passed,
        changed,
        started_ms,
        polling: false,
    })
}

/// The checks a set of causes may have changed, with what they need (so `needs` is judged
/// on fresh results) and what needs them (so a check blocked before is looked at again).
fn to_run(
    lab: &Lab,
    causes: &BTreeSet<Cause>,
    last: &BTreeMap<String, CheckResult>,
    all: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for c in &lab.checks {
        let hit = causes.iter().any(|cause| match cause {
            Cause::Start => true,
            Cause::File => reads_workspace(c),
            Cause::Docker => reads_engine(c),
            Cause::Tick => last.get(&c.id).is_none_or(|r| r.status != Status::Pass),
        });
        if hit {
            set.insert(c.id.clone());
        }
    }
    // What needs a check to run runs too; and a check runs with what it needs.
    loop {
        let before = set.len();
        for c in &lab.checks {
            if c.needs.iter().any(|n| set.contains(n)) {
                set.insert(c.id.clone());
            }
            if set.contains(&c.id) {
                set.extend(c.needs.iter().filter(|n| all.contains(*n)).cloned());
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

/// Whether a check looks at the workspace (or runs a program that may).
fn reads_workspace(c: &Check) -> bool {
    let acts_on_host = c.before.iter().any(|a| matches!(a, Action::Command(_)));
    acts_on_host
        || match &c.kind {
            CheckKind::File(f) => f.target.is_none(),
            CheckKind::Answer(_) | CheckKind::Dockerfile(_) | CheckKind::Command(_) => true,
            CheckKind::Expect(e) => e.target == Target::Host,
            _ => false,
        }
}

/// Whether a check looks at the engine.
fn reads_engine(c: &Check) -> bool {
    match &c.kind {
        CheckKind::File(f) => f.target.is_some() || !c.before.is_empty(),
        CheckKind::Dockerfile(_) => !c.before.is_empty(),
        CheckKind::Answer(a) => {
            !c.before.is_empty() || matches!(a.expect, crate::model::AnswerExpect::Inspect(_))
        }
        _ => true,
    }
}

/// The time a re-grade happened, as RFC 3339 (UTC).
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
