//! `exec`: a command in a container; its exit code and output must match.

use std::time::Duration;

use crate::checks::context::RunContext;
use crate::checks::matcher::{text, undecided_when_cut};
use crate::checks::outcome::Outcome;
use crate::checks::target::{argv, exec_in, find};
use crate::checks::words::{seen, unmet, wanted};
use crate::engine::exec::{Cut, ExecOutput, ExecRequest};
use crate::model::{ExecCheck, ExecSpec, Literal, Matcher};

pub async fn run(ctx: &RunContext, c: &ExecCheck, timeout: Duration) -> Outcome {
    let out = match run_spec(ctx, &c.spec, timeout).await {
        Ok(o) => o,
        // The student's container is there but stopped: nothing runs in it, a fail.
        Err(o)
            if o.status == crate::checks::outcome::Status::Error
                && crate::checks::target::stopped(ctx, &c.spec.target).await =>
        {
            return Outcome::fail(
                "its container is not running: the command cannot run in it".to_string(),
            );
        }
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
    // Ended, but the engine never gave its code: no verdict (`exit: {not: 0}` must not
    // pass on it).
    if out.exit.is_none() {
        return Outcome::error("the command ended, but the engine did not report its exit code")
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

/// Compare an exit code and two outputs with their matchers (shared with `command`). A
/// message about the output also says how the command ended and what it said on stderr,
/// when that explains why the output is not what was expected.
pub fn judge_output(
    exit: &Matcher,
    stdout: Option<&Matcher>,
    stderr: Option<&Matcher>,
    code: Option<i64>,
    (out, err): (&str, &str),
    truncated: Cut,
) -> Outcome {
    let code_text = code.map(|c| c.to_string()).unwrap_or_else(|| "none".into());
    let stderr_note = if err.trim().is_empty() {
        String::new()
    } else {
        format!("; on stderr it said {}", seen(err))
    };
    if !text(exit, &code_text) {
        let ended = match code {
            Some(c) => format!("it exited with {c}"),
            None => "it did not finish".to_string(),
        };
        // What it printed often says why (a script that echoes what it compared).
        let printed = if out.trim().is_empty() {
            String::new()
        } else {
            format!(" after printing {}", seen(out))
        };
        let ended = format!("{ended}{printed}");
        return Outcome::fail(format!(
            "expected {}; {ended}{stderr_note}",
            exit_wanted(exit)
        ));
    }
    // A stream cut at the cap: only a match found in what was kept is sure. The other
    // stream, read whole, decides as usual.
    let unsure = |m: Option<&Matcher>, s: &str| m.is_some_and(|m| undecided_when_cut(m, s));
    let (out_undecided, err_undecided) = (
        truncated.stdout && unsure(stdout, out),
        truncated.stderr && unsure(stderr, err),
    );
    // Every stream that leaves it open was held, not long.
    let held =
        (!out_undecided || truncated.stdout_held) && (!err_undecided || truncated.stderr_held);
    let undecided = match (out_undecided, err_undecided) {
        (true, true) => Some("output and its error output"),
        (true, false) => Some("output"),
        (false, true) => Some("error output"),
        (false, false) => None,
    };
    if let Some(which) = undecided {
        return Outcome::error(if held {
            format!(
                "a program it left running outside its process group (as `timeout` and `setsid` start one) still held its {which} open, so whether it printed what is asked cannot be told"
            )
        } else {
            format!(
                "it printed more than a check reads (its {which} was cut), so whether it printed what is asked cannot be told"
            )
        });
    }
    if let Some(m) = stdout
        && !text(m, out)
    {
        let part = unmet(m, &|p| text(p, out));
        let ended = match code {
            Some(0) | None => String::new(),
            Some(c) => format!("; it exited with {c}"),
        };
        return Outcome::fail(format!(
            "expected the output to {}; it printed {}{ended}{stderr_note}",
            wanted(part),
            seen(out)
        ));
    }
    if let Some(m) = stderr
        && !text(m, err)
    {
        let part = unmet(m, &|p| text(p, err));
        return Outcome::fail(format!(
            "expected the error output to {}; it was {}",
            wanted(part),
            seen(err)
        ));
    }
    Outcome::pass(format!(
        "it exited with {code_text} and printed what was expected"
    ))
}

/// "the command to exit with 0", "the command to fail (exit with anything but 0)".
fn exit_wanted(m: &Matcher) -> String {
    match m {
        Matcher::Equals(l) => format!("the command to exit with {}", l.text()),
        Matcher::Not(inner) if matches!(**inner, Matcher::Equals(Literal::Int(0))) => {
            "the command to fail (exit with anything but 0)".to_string()
        }
        other => format!("its exit code to {}", wanted(other)),
    }
}

fn evidence(spec: &ExecSpec, out: &ExecOutput) -> String {
    transcript(
        &shell_words::join(argv(&spec.cmd)),
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
    truncated: Cut,
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
    let cut = match (truncated.stdout, truncated.stderr) {
        (true, true) => Some("output"),
        (true, false) => Some("stdout"),
        (false, true) => Some("stderr"),
        (false, false) => None,
    };
    match (exit, cut, timed_out) {
        (_, _, true) => e.push_str("[timed out]\n"),
        (_, Some(what), _) => e.push_str(&format!("[{what} cut: too much]\n")),
        (Some(c), _, _) => e.push_str(&format!("[exit {c}]\n")),
        (None, _, _) => {}
    }
    e
}
