//! `command`: a shell command on the student's machine, in the workspace.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::exec::{judge_output, transcript};
use crate::checks::context::RunContext;
use crate::checks::outcome::Outcome;
use crate::engine::exec::Cut;
use crate::model::CommandCheck;
use crate::proc::{GroupGuard, Pipes, isolate};
use crate::text::Keep;

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
        out.truncated,
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
        (&out.stdout, &out.stderr),
        out.truncated,
    )
    .evidence(evidence)
}

pub struct ShellOutput {
    pub exit: Option<i64>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    /// Which streams printed more than was kept.
    pub truncated: Cut,
}

/// `sh -c TEXT` in the workspace: killed (with everything it started) at the timeout or
/// when the check is dropped; output capped, the rest read and dropped so a chatty command
/// is not taken for a hanging one.
pub async fn run_shell(
    ctx: &RunContext,
    script: &str,
    timeout: Duration,
) -> Result<ShellOutput, String> {
    if let Some(why) = &ctx.host.refused {
        return Err(why.clone());
    }
    let sh = crate::platform::shell("sh")?;
    let mut cmd = Command::new(&sh);
    cmd.arg("-c")
        .arg(script)
        .current_dir(&ctx.workspace)
        .env("LAB_PROJECT", &ctx.project)
        .envs(ctx.host.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    isolate(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| {
        format!(
            "could not start {} in {}: {e}",
            sh.display(),
            ctx.workspace.display()
        )
    })?;
    let mut group = GroupGuard::new(&child);
    // Read beside the shell: what it left running in the background (`server &`) keeps the
    // pipes open after it exits, and must not hold the check until its timeout.
    let mut pipes = Pipes::spawn(&mut child, OUTPUT_CAP, Keep::Head, None);
    let status = tokio::time::timeout(timeout, child.wait()).await;
    // What is still on its way once the shell ended comes within a moment.
    pipes.settle(SETTLE).await;
    // The shell is done (or out of time): what it left running goes with it, and so do
    // the pipes it held.
    group.kill();
    pipes.settle(SETTLE).await;
    let (out, err) = pipes.stop();
    let (exit, timed_out) = match status {
        Ok(s) => (s.ok().and_then(|s| s.code()).map(i64::from), false),
        Err(_) => (None, true),
    };
    Ok(ShellOutput {
        exit,
        truncated: Cut {
            stdout: out.overflowed || out.held,
            stderr: err.overflowed || err.held,
            stdout_held: out.held && !out.overflowed,
            stderr_held: err.held && !err.overflowed,
        },
        stdout: out.text,
        stderr: err.text,
        timed_out,
    })
}

/// How long output may still come after the shell ended, and after its group is killed.
const SETTLE: Duration = Duration::from_millis(300);
