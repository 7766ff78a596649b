//! Bringing a lab up: plan its stack, make the images, apply it; on failure or interrupt,
//! roll back exactly what this run created (unless asked to keep it for inspection).

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::Events;
use crate::engine::{
    Applied, ApplyOptions, Engine, EngineError, apply, new_run_id, plan, rollback,
};
use crate::model::Lab;

#[derive(Debug, Clone)]
pub struct UpOptions {
    /// Keep what a failed start created, to inspect it.
    pub keep_on_failure: bool,
    /// The longest any service may take to become ready.
    pub ready_timeout: Duration,
    /// Wait for the engine's own "healthy" where our probe came first (see
    /// [`ApplyOptions::confirm_health`](crate::engine::ApplyOptions)).
    pub confirm_health: bool,
}

impl Default for UpOptions {
    fn default() -> Self {
        UpOptions {
            keep_on_failure: false,
            ready_timeout: Duration::from_secs(120),
            confirm_health: true,
        }
    }
}

/// A lab that is up.
#[derive(Debug, Clone)]
pub struct Up {
    pub applied: Applied,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum UpError {
    /// It failed; what it had made was removed (`removed`) or kept (`kept`).
    #[error("{error}")]
    Failed {
        error: EngineError,
        removed: Vec<String>,
        kept: bool,
    },
    /// Ctrl-C: what it had made was removed.
    #[error("interrupted")]
    Interrupted { removed: Vec<String> },
}

impl UpError {
    pub fn exit_code(&self) -> u8 {
        match self {
            UpError::Failed { error, .. } => error.exit_code(),
            UpError::Interrupted { .. } => crate::exit::INTERRUPTED,
        }
    }
}

/// Provision `lab` in `project` (labels say `course`).
pub async fn up(
    engine: &Engine,
    course: &str,
    lab: &Lab,
    project: &str,
    opts: &UpOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<Up, UpError> {
    let started = Instant::now();
    let plan = plan(lab, course, project).map_err(|error| UpError::Failed {
        error,
        removed: Vec::new(),
        kept: false,
    })?;
    let run_id = new_run_id();
    let apply_opts = ApplyOptions {
        progress: events.progress(),
        ready_timeout: opts.ready_timeout,
        confirm_health: opts.confirm_health,
    };
    let result = tokio::select! {
        r = apply(engine, &plan, &apply_opts, &run_id) => r,
        _ = cancel.cancelled() => Err(EngineError::Interrupted),
    };
    match result {
        Ok(applied) => Ok(Up {
            applied,
            elapsed: started.elapsed(),
        }),
        Err(EngineError::Interrupted) => {
            events.emit(super::Event::CleaningUp);
            let removed = rollback(engine, project, &run_id).await;
            Err(UpError::Interrupted { removed })
        }
        Err(error) if opts.keep_on_failure => Err(UpError::Failed {
            error,
            removed: Vec::new(),
            kept: true,
        }),
        Err(error) => {
            let removed = rollback(engine, project, &run_id).await;
            Err(UpError::Failed {
                error,
                removed,
                kept: false,
            })
        }
    }
}
