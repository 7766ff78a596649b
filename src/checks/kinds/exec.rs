//! `exec`: a command in a container; its exit code and output must match.

use std::time::Duration;

use crate::checks::context::RunContext;
use crate::checks::matcher::{describe, quote, text};
use crate::checks::outcome::Outcome;
use crate::checks::target::{argv, exec_in, find};
use crate::engine::exec::{ExecOutput, ExecRequest};
use crate::model::{ExecCheck, ExecSpec, Matcher};

pub async fn run(ctx: &RunContext, c: &ExecCheck, timeout: Duration) -> Outcome {
    let out = match run_spec(ctx, &c.spec, timeout).await {
        Ok(o) => o,
        Err(o) => return o,
    };
    let evidence = evidence(&c.spec, &out);
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

/// Run an exec spec (also the `exec` action).
pub async fn run_spec(
    ctx: &RunContext,
    spec: &ExecSpec,
    timeout: Duration,
) -> Result<ExecOutput, Outcome> {
    let found = find(ctx, &spec.target).await?;
    let req = ExecRequest {
        cmd: argv(&spec.cmd),
        user: spec.user.clone(),
        workdir: spec.workdir.clone(),
        env: spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
    };
    exec_in(ctx, &found.id, &req, timeout)
        .await
        .map_err(Outcome::error)
}

/// Compare an exit code and two outputs with their matchers (shared with `command`).
pub fn judge_output(
    exit: &Matcher,
    stdout: Option<&Matcher>,
    stderr: Option<&Matcher>,
    code: Option<i64>,
    out: &str,
    err: &str,
) -> Outcome {
    let code_text = code.map(|c| c.to_string()).unwrap_or_else(|| "none".into());
    if !text(exit, &code_text) {
        return Outcome::fail(format!(
            "expected the exit code to be {}, got {code_text}",
            describe_exit(exit)
        ));
    }
    if let Some(m) = stdout
        && !text(m, out)
    {
        return Outcome::fail(format!(
            "expected the output to be such that it {}; it was {}",
            describe(m),
            quote(out)
        ));
    }
    if let Some(m) = stderr
        && !text(m, err)
    {
        return Outcome::fail(format!(
            "expected the error output to be such that it {}; it was {}",
            describe(m),
            quote(err)
        ));
    }
    Outcome::pass(format!("exit code {code_text}, output as expected"))
}

fn describe_exit(m: &Matcher) -> String {
    match m {
        Matcher::Equals(l) => l.text(),
        other => describe(other),
    }
}

fn evidence(spec: &ExecSpec, out: &ExecOutput) -> String {
    transcript(
        &argv(&spec.cmd).join(" "),
        &out.stdout,
        &out.stderr,
        out.exit,
        out.truncated,
        out.timed_out,
    )
}

/// A command's run as evidence: `$ cmd`, its output, `[stderr]`, and how it ended (shared
/// with `command`).
pub fn transcript(
    cmd: &str,
    stdout: &str,
    stderr: &str,
    exit: Option<i64>,
    truncated: bool,
    timed_out: bool,
) -> String {
    let mut e = format!("$ {cmd}\n");
    for (label, text) in [("", stdout), ("[stderr]\n", stderr)] {
        if !text.is_empty() {
            e.push_str(label);
            e.push_str(text);
            if !text.ends_with('\n') {
                e.push('\n');
            }
        }
    }
    match (exit, truncated, timed_out) {
        (_, _, true) => e.push_str("[timed out]\n"),
        (_, true, _) => e.push_str("[output cut: too much]\n"),
        (Some(c), _, _) => e.push_str(&format!("[exit {c}]\n")),
        (None, _, _) => {}
    }
    e
}
