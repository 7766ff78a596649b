//! Child processes that cannot outlive their owner. A command check, a host-side expect
//! session or a solution script may start programs of its own (a shell runs a pipeline, a
//! script starts `docker run -it`); they live in the child's own process group, so the
//! terminal's Ctrl-C does not reach them. [`GroupGuard`] kills that whole group when it is
//! dropped: on time-out, on an interrupted run (its future dropped), on any early return.

/// Kills a process group when dropped, unless disarmed.
#[derive(Debug)]
pub struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    /// Guard the group led by `pid` (a child spawned with `process_group(0)`, or a session
    /// leader such as a program under a pseudo-terminal).
    pub fn new(pid: Option<u32>) -> GroupGuard {
        GroupGuard {
            pgid: pid.and_then(|p| i32::try_from(p).ok()).filter(|p| *p > 1),
        }
    }

    /// Kill the group now (idempotent).
    pub fn kill(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            kill_group(pgid);
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pgid: i32) {}
