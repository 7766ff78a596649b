//! Child processes that cannot outlive their owner. A command check, a host-side expect
//! session or a solution script may start programs of its own (a shell runs a pipeline, a
//! script starts `docker run -it`); they are kept together (a process group on unix, a job
//! object on Windows: see [`crate::platform::Tree`]) away from the terminal's Ctrl-C.
//! [`GroupGuard`] kills them all when dropped: on time-out, on an interrupted run (its
//! future dropped), on any early return. [`Pipes`] reads what they print.

use crate::platform::Tree;
pub use crate::platform::isolate;

/// Kills a child and everything it started when dropped (or at [`GroupGuard::kill`]).
#[derive(Debug)]
pub struct GroupGuard {
    tree: Option<Tree>,
}

impl GroupGuard {
    /// Guard a child spawned after [`isolate`].
    pub fn new(child: &tokio::process::Child) -> GroupGuard {
        GroupGuard {
            tree: Tree::own(child),
        }
    }

    /// Kill them now (idempotent).
    pub fn kill(&mut self) {
        // A tree is killed when dropped.
        self.tree.take();
    }
}

mod pipes;
pub use pipes::{PipeOutput, Pipes};
