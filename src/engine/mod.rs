//! The Docker engine: connect, plan a lab's stack, apply it, tear it down by label.

mod connect;
mod find;
pub mod labels;

pub use connect::{ConnectError, connect};
pub use find::running_labs;

/// The image `lab`'s own short-lived helpers run (probes, the crash helper).
pub const HELPER_IMAGE: &str = "busybox:1.36";
