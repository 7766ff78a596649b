//! `command`: a shell command on the student's machine, in the workspace.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

use super::exec::{judge_output, transcript};
use crate::checks::context::RunContext;
use crate::checks::outcome::{Outcome, printable};
use crate::model::CommandCheck;

const OUTPUT_CAP: usize = 64 * 1024;

pub async fn run(ctx: &RunContext, c: &CommandCheck, timeout: Duration) -> Outcome {
    let out = match run_shell(ctx, &c.run, timeout).await {
        Ok(o) => o,
        Err(e) => return Outcome::error(e),
    };
    let evidence = transcript(
        &c.run,
        &out.stdout,
        &out.stderr,
        out.exit,
        false,
        out.timed_out,
    );
    if out.timed_out {
        return Outcome::fail(format!(
            "the command did not finish within {}",
            crate::model::Dur(timeout)
        ))
        .evidence(evidence);
    }
    judge_output(
        &c.exit,
        c.stdout.as_ref(),
        c.stderr.as_ref(),
        out.exit,
        &out.stdout,
        &out.stderr,
    )
    .evidence(evidence)
}

pub struct ShellOutput {
    pub exit: Option<i64>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// `sh -c TEXT` in the workspace, killed at the timeout, output capped.
pub async fn run_shell(
    ctx: &RunContext,
    script: &str,
    timeout: Duration,
) -> Result<ShellOutput, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&ctx.workspace)
        .env("LAB_PROJECT", &ctx.project)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("could not start sh in {}: {e}", ctx.workspace.display()))?;
    let pid = child.id();
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let read = async {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let ra = async {
            if let Some(s) = so.as_mut() {
                let _ = s.take(OUTPUT_CAP as u64).read_to_end(&mut a).await;
            }
        };
        let rb = async {
            if let Some(s) = se.as_mut() {
                let _ = s.take(OUTPUT_CAP as u64).read_to_end(&mut b).await;
            }
        };
        tokio::join!(ra, rb);
        let status = child.wait().await;
        (a, b, status)
    };
    match tokio::time::timeout(timeout, read).await {
        Ok((a, b, status)) => Ok(ShellOutput {
            exit: status.ok().and_then(|s| s.code()).map(i64::from),
            stdout: printable(&a),
            stderr: printable(&b),
            timed_out: false,
        }),
        Err(_) => {
            // The shell had its own process group: end everything it started, not only sh.
            if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
            Ok(ShellOutput {
                exit: None,
                stdout: String::new(),
                stderr: String::new(),
                timed_out: true,
            })
        }
    }
}
