//! One stream of events for a run, many consumers (the live terminal view, tests).

use std::sync::Arc;

use crate::checks::CheckResult;
use crate::engine::Progress;

/// What happens while a lab is brought up, graded, solved, verified or taken down.
#[derive(Debug, Clone)]
pub enum Event {
    /// Provisioning: images pulled or built, services started and ready.
    Engine(Progress),
    /// Grading began: how many checks will run.
    GradeStarted {
        total: usize,
    },
    CheckStarted {
        index: usize,
        id: String,
        title: String,
    },
    CheckFinished {
        index: usize,
        result: CheckResult,
    },
    /// A lab's verification moved to its next phase.
    Verify {
        lab: String,
        phase: VerifyPhase,
    },
    /// A lab's verification is done.
    LabVerified {
        verdict: crate::session::verify::LabVerdict,
    },
    /// `lab grade`: the submissions are about to be graded.
    BatchStarted {
        total: usize,
        engines: usize,
    },
    /// A submission's grading began on an engine.
    SubmissionStarted {
        student: String,
        engine: String,
    },
    /// A submission's row is done (graded, or an error with its reason).
    SubmissionGraded {
        row: crate::report::gradebook::Row,
    },
    /// An engine could not take part (its images could not be copied) or stopped (the lab
    /// could not start on it); the others go on.
    EngineDropped {
        engine: String,
        reason: String,
    },
    /// The run was interrupted and is removing what it made.
    CleaningUp,
}

/// The phases of `lab verify` for one lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyPhase {
    Starting,
    GradingFresh,
    Solving,
    GradingSolved,
    Stopping,
    /// Grading one of the lab's variants (other ways, right and wrong).
    Variant,
}

type Sink = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where events go; the default drops them.
#[derive(Clone, Default)]
pub struct Events(Option<Sink>);

impl Events {
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Events {
        Events(Some(Arc::new(f)))
    }

    pub fn emit(&self, e: Event) {
        if let Some(f) = &self.0 {
            f(&e);
        }
    }

    /// The engine's provisioning progress, forwarded as events.
    pub fn progress(&self) -> crate::engine::ProgressSink {
        match &self.0 {
            Some(f) => {
                let f = f.clone();
                crate::engine::ProgressSink::new(move |p| f(&Event::Engine(p)))
            }
            None => crate::engine::ProgressSink::default(),
        }
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events(..)")
    }
}
