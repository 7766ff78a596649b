//! The use-case layer: what every command does to a lab, written once. `up` provisions a
//! lab (plan, images, apply, rollback of exactly what it made), `grade` runs its checks
//! into one [`Report`](crate::report::Report), `down` removes it, `solve` runs a solution
//! or submission script with limits, and `verify` proves a lab gradable with the four.
//!
//! Each takes the run's [`CancellationToken`]: when it fires (Ctrl-C), the operation stops
//! what it is doing, removes what it made, and returns its `Interrupted` error. Each
//! reports what happens as [`Event`]s; `ui` draws them, nothing here writes to a terminal.

pub mod batch;
pub mod debug;
pub mod doctor;
pub mod down;
pub mod events;
pub mod grade;
pub mod images;
pub mod leftovers;
pub mod record;
pub mod solve;
pub mod standing;
pub mod submission;
mod triggers;
pub mod up;
pub mod variants;
pub mod verify;
pub mod watch;

pub use events::{Event, Events};
pub use tokio_util::sync::CancellationToken;
