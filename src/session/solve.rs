//! Running a solution (or, later, a submission's) script: on the host, in a workspace, with
//! the lab's environment, bounded in time and output, and killed with everything it started
//! when the time is up or the run is interrupted.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::proc::{GroupGuard, Pipes, isolate};
use crate::text::Keep;

/// A script to run, and its limits.
#[derive(Debug, Clone)]
pub struct Script {
    /// The interpreter (`sh` for solve.sh).
    pub shell: String,
    pub path: PathBuf,
    /// The working directory.
    pub workspace: PathBuf,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    /// How much of its output (each stream, the last bytes) is kept.
    pub output_cap: usize,
    /// Stop it once it has printed this much in all (a flood); `None`: never.
    pub output_limit: Option<u64>,
}

/// How it ended.
#[derive(Debug, Clone)]
pub struct Ran {
    /// `None` when it was killed (time-out).
    pub exit: Option<i32>,
    pub timed_out: bool,
    /// The end of what it printed on stdout and stderr.
    pub stdout: String,
    pub stderr: String,
    /// How many bytes it printed in all (kept or not).
    pub printed: u64,
    /// It was stopped for printing more than its limit.
    pub flooded: bool,
}

impl Ran {
    pub fn ok(&self) -> bool {
        self.exit == Some(0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    #[error("could not run {}: {source}", .path.display())]
    Start {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No shell to run it with (Windows without Git for Windows).
    #[error("{0}")]
    NoShell(String),
    #[error("interrupted")]
    Interrupted,
}

/// Run the script to its end, its time limit, or the interrupt.
pub async fn run(script: &Script, cancel: &CancellationToken) -> Result<Ran, SolveError> {
    let shell = crate::platform::shell(&script.shell).map_err(SolveError::NoShell)?;
    let mut cmd = tokio::process::Command::new(shell);
    cmd.arg(&script.path)
        .current_dir(&script.workspace)
        .envs(script.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    isolate(&mut cmd);
    let mut child = cmd.spawn().map_err(|source| SolveError::Start {
        path: script.path.clone(),
        source,
    })?;
    // Whatever the script starts goes with it, however this function is left.
    let mut group = GroupGuard::new(&child);
    // Read on tasks of their own, so what it printed survives a time-out.
    let mut pipes = Pipes::spawn(
        &mut child,
        script.output_cap,
        Keep::Tail,
        script.output_limit,
    );
    let exit = tokio::select! {
        r = tokio::time::timeout(script.timeout, child.wait()) => match r {
            Ok(status) => Some(status.ok().and_then(|s| s.code())),
            Err(_) => None,
        },
        _ = cancel.cancelled() => {
            group.kill();
            return Err(SolveError::Interrupted);
        }
        _ = pipes.flooded() => Some(None),
    };
    group.kill();
    // The pipes close once the group is gone; a moment for the last bytes.
    pipes.settle(Duration::from_secs(2)).await;
    let (out, err) = pipes.stop();
    // A flood is what was printed, not which branch above won: a script that floods and
    // then dies of the closed pipe ends at the same moment the flood is noticed.
    let printed = out.total + err.total;
    Ok(Ran {
        exit: exit.flatten(),
        timed_out: exit.is_none(),
        stdout: out.text,
        stderr: err.text,
        printed,
        flooded: script.output_limit.is_some_and(|l| printed > l),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A script that prints a little past the limit and ends, or floods and dies of its
    /// closed pipe, ends as the flood is noticed: it is a flood every time, whichever the
    /// runner sees first.
    #[tokio::test]
    async fn a_flood_that_ends_at_once_is_still_a_flood() {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = |bytes: u64| {
            let path = dir.path().join(format!("flood-{bytes}.sh"));
            let text = format!("head -c {bytes} /dev/zero | tr '\\0' x\n");
            std::fs::write(&path, text).expect("write");
            Script {
                shell: "sh".into(),
                path,
                workspace: dir.path().to_path_buf(),
                env: Vec::new(),
                timeout: Duration::from_secs(30),
                output_cap: 1024,
                output_limit: Some(100_000),
            }
        };
        for bytes in [100_001, 110_000, 2_000_000] {
            let script = script(bytes);
            for i in 0..100 {
                let ran = run(&script, &CancellationToken::new()).await.expect("run");
                assert!(
                    ran.flooded,
                    "{bytes} bytes, run {i}: not a flood after {} bytes printed",
                    ran.printed
                );
            }
        }
    }
}
