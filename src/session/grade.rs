//! Grading a lab: pick the checks, give them the lab's defaults, run them against the
//! live environment, and build the one [`Report`] every format renders. Whatever the
//! checks' actions changed is put back, and their helper containers removed, also when
//! the run is interrupted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::{Event, Events};
use crate::checks::{HostPrograms, RunContext, RunEvent, run_checks};
use crate::engine::{Engine, control, find};
use crate::model::Lab;
use crate::report::Report;

#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// The project the lab runs in.
    pub project: String,
    /// Where `file` and `command` checks look.
    pub workspace: PathBuf,
    /// Only these checks (by id); empty: all.
    pub only: Vec<String>,
    /// How many look-only checks may run at once.
    pub jobs: usize,
    /// How checks run programs on this machine (the default: as the student's shell would).
    pub host: HostPrograms,
}

#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error("lab {lab} has no check \"{id}\"")]
    UnknownCheck { lab: String, id: String },
    #[error("the workspace {} is not a folder", .0.display())]
    Workspace(PathBuf),
    /// The lab has a stack and none of it runs: there is nothing to grade.
    #[error("{lab} is not running{}; start it with `lab start {lab}{}`",
        if project == lab { String::new() } else { format!(" (project {project})") },
        if project == lab { String::new() } else { format!(" --project {project}") })]
    NotRunning { lab: String, project: String },
    #[error("could not look at the engine: {0}")]
    Engine(String),
    /// Ctrl-C; `problems` says what could not be put back.
    #[error("interrupted")]
    Interrupted { problems: Vec<String> },
}

impl GradeError {
    pub fn exit_code(&self) -> u8 {
        match self {
            GradeError::Interrupted { .. } => crate::exit::INTERRUPTED,
            GradeError::NotRunning { .. } | GradeError::Engine(_) => crate::exit::ENVIRONMENT,
            _ => crate::exit::INVALID_INPUT,
        }
    }
}

/// Grade `lab` as it runs in `opts.project`. `engine` is `None` when it cannot be reached:
/// the checks that need it end in `error`.
pub async fn grade(
    engine: Option<&Engine>,
    lab: &Lab,
    opts: &GradeOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<Report, GradeError> {
    for id in &opts.only {
        if lab.check(id).is_none() {
            return Err(GradeError::UnknownCheck {
                lab: lab.id.clone(),
                id: id.clone(),
            });
        }
    }
    if !opts.workspace.is_dir() {
        return Err(GradeError::Workspace(opts.workspace.clone()));
    }
    if let (Some(engine), Some(_)) = (engine, &lab.stack) {
        let ours = find::list(engine, &find::Filter::project(&opts.project))
            .await
            .map_err(|e| GradeError::Engine(e.to_string()))?;
        if ours.is_empty() {
            return Err(GradeError::NotRunning {
                lab: lab.id.clone(),
                project: opts.project.clone(),
            });
        }
    }
    let checks: Vec<_> = lab
        .checks
        .iter()
        .filter(|c| opts.only.is_empty() || opts.only.contains(&c.id))
        .cloned()
        .collect();
    let mut ctx = RunContext::new(
        engine.cloned(),
        &opts.project,
        opts.workspace.clone(),
        lab.dir.clone(),
    );
    ctx.default_timeout = lab
        .timeout
        .map(|t| t.0)
        .unwrap_or(crate::model::DEFAULT_CHECK_TIMEOUT);
    ctx.host = opts.host.clone();
    if let Some(stack) = &lab.stack {
        ctx.networks
            .extend(stack.networks.iter().map(|n| n.name.clone()));
        ctx.volumes = stack.volumes.iter().map(|v| v.name.clone()).collect();
        ctx.replicas = stack
            .services
            .iter()
            .filter_map(|s| Some((s.name.clone(), s.replicas?)))
            .collect();
    }
    let ctx = Arc::new(ctx);
    let on_event = |e: RunEvent| match e {
        RunEvent::Started { total } => events.emit(Event::GradeStarted { total }),
        RunEvent::CheckStarted { index, check } => events.emit(Event::CheckStarted {
            index,
            id: check.id.clone(),
            title: check.title.clone(),
        }),
        RunEvent::CheckFinished { index, result } => events.emit(Event::CheckFinished {
            index,
            result: result.clone(),
        }),
    };
    let started = Instant::now();
    let results = tokio::select! {
        r = run_checks(ctx.clone(), &checks, opts.jobs, &on_event) => Some(r),
        _ = cancel.cancelled() => None,
    };
    let interrupted = results.is_none();
    if interrupted {
        events.emit(Event::CleaningUp);
    }
    let problems = clean_up(&ctx).await;
    match results {
        Some(results) => Ok(Report::new(lab, &opts.project, results, started.elapsed())),
        None => Err(GradeError::Interrupted { problems }),
    }
}

/// Put back what actions changed and remove the run's helper containers (once the helpers
/// still at work, if the run was interrupted, are done).
async fn clean_up(ctx: &RunContext) -> Vec<String> {
    let Some(engine) = &ctx.engine else {
        return Vec::new();
    };
    control::settled(&ctx.run).await;
    let mut problems = ctx.restore.run(engine).await;
    if let Err(e) = control::remove_helpers(engine, &ctx.run).await {
        problems.push(format!("could not remove lab's helper containers: {e}"));
    }
    problems
}
