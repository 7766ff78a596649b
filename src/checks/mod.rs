//! Grading a live environment: one file per check kind, the `before:` actions, and a
//! runner with concurrency, timeouts and retries. Results are plain data for `report`.

pub mod actions;
pub mod context;
pub mod docker;
pub mod kinds;
pub mod matcher;
pub mod outcome;
pub mod runner;
pub mod session_io;

pub use context::RunContext;
pub use outcome::{Outcome, Status};
pub use runner::{CheckResult, RunEvent, run_checks, run_lab, run_one};
