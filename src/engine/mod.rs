//! The Docker engine: connect, plan a lab's stack, apply it, tear it down by label.

pub mod apply;
mod connect;
mod error;
mod find;
pub mod images;
mod inflight;
pub mod labels;
pub mod plan;
mod ready;
pub mod shell;
mod spec;
pub mod status;
pub mod teardown;

pub use apply::{Applied, ApplyOptions, apply, new_run_id, rollback};
pub use connect::{ConnectError, connect};
pub use error::EngineError;
pub use find::{Running, running_labs};
pub use plan::{Plan, plan};
pub use status::{ServiceStatus, status};
pub use teardown::{Teardown, stop_project};

/// The image `lab`'s own short-lived helpers run (probes, the crash helper).
pub const HELPER_IMAGE: &str = "busybox:1.36";
