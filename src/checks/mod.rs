//! Grading a live environment: one file per check kind, the `before:` actions (and how
//! their effects are put back), and a runner with concurrency, timeouts and retries. All
//! engine work goes through `engine`; results are plain data for `report`.

pub mod actions;
pub mod context;
pub mod equiv;
pub mod kinds;
pub mod matcher;
pub mod outcome;
pub mod restore;
pub mod runner;
pub mod session_io;
pub mod target;
pub mod words;

pub use context::{HostPrograms, RunContext};
pub use outcome::{Outcome, Status};
pub use runner::{CheckResult, RunEvent, run_checks, run_one};
