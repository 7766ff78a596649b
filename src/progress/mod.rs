//! The progress store: every attempt a student makes, kept in one SQLite file under
//! `$LAB_HOME` (default: the XDG data folder, `~/.local/share/lab`), so `lab progress` can
//! say where they stand and `lab list` what is done. It survives a crash mid-write (each
//! attempt is one transaction, WAL journal) and two `lab` processes at once (a busy
//! timeout). Nothing here grades: the store is told what a grade found.

mod schema;
mod store;
pub mod summary;
pub mod transfer;

pub use store::{Attempt, CheckRow, Start, Store, StoreError, default_path, new_uid, now_ms};
