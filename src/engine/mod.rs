//! The Docker engine, and the only code that talks to it: connect, find by label, inspect,
//! exec (plain and attached with a terminal), logs, control (stop, start, crash, networks),
//! plan/apply/teardown of a lab's stack, images and their archives, status. Nothing here
//! draws on the terminal: provisioning reports [`Progress`] to whoever listens.

pub mod apply;
pub mod archive;
mod connect;
pub mod control;
pub mod discover;
mod error;
pub mod events;
pub mod exec;
pub mod files;
pub mod find;
pub mod guard;
pub mod images;
mod inflight;
pub mod inspect;
pub mod labels;
pub mod logs;
pub mod plan;
pub mod probe;
pub mod progress;
mod ready;
mod spec;
pub mod status;
pub mod system;
pub mod teardown;
pub mod transfer;

pub use apply::{Applied, ApplyOptions, apply, new_run_id, rollback};
pub use connect::{ConnectError, Engine, Tried, connect, connect_to, fix as connect_fix, search};
pub use error::EngineError;
pub use find::{Found, Running, running_labs};
pub use plan::{Plan, plan};
pub use progress::{Progress, ProgressSink};
pub use status::{ServiceStatus, status};
pub use teardown::{Teardown, stop_project};

/// The image `lab`'s own short-lived helpers run (probes, the crash helper).
pub const HELPER_IMAGE: &str = "busybox:1.36";
