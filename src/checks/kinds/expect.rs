//! `expect`: drive an interactive session step by step, the way the guide drives
//! `docker exec -it` with pexpect: in a container over the engine's attached stream, or a
//! program on the host under a real pseudo-terminal. Output is matched with ANSI sequences
//! stripped; the transcript is the evidence.

use std::time::{Duration, Instant};

use expectrl::{AsyncExpect, Eof, Regex, Session};
use futures_io::{AsyncRead, AsyncWrite};
use tokio_util::compat::TokioAsyncReadCompatExt;

use crate::checks::context::RunContext;
use crate::checks::outcome::Outcome;
use crate::checks::session_io::{Recorder, Transcript};
use crate::checks::target::{argv, find};
use crate::engine::exec::attach;
use crate::model::{Dur, ExpectCheck, ExpectStep, Target};

/// Evidence shows the end of the session, where things went wrong.
const EVIDENCE_TAIL: usize = 3000;

pub async fn run(ctx: &RunContext, c: &ExpectCheck, timeout: Duration) -> Outcome {
    let deadline = Instant::now() + timeout;
    let transcript = Transcript::default();
    match &c.target {
        Target::Host => host(ctx, c, deadline, transcript).await,
        target => container(ctx, c, target, deadline, transcript).await,
    }
}

async fn container(
    ctx: &RunContext,
    c: &ExpectCheck,
    target: &Target,
    deadline: Instant,
    transcript: Transcript,
) -> Outcome {
    let found = match find(ctx, target).await {
        Ok(f) => f,
        Err(o) => return o,
    };
    let engine = match ctx.engine() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    let env = vec!["TERM=xterm".to_string()];
    let attached = match attach(engine, &found.id, argv(&c.run), env, true).await {
        Ok(a) => a,
        // The student's container is there but stopped: nothing runs in it, a fail.
        Err(_) if crate::checks::target::stopped(ctx, target).await => {
            return Outcome::fail(format!(
                "{} is not running: no session can start in it",
                found.name
            ));
        }
        Err(e) => {
            return Outcome::error(format!("could not start a session in {}: {e}", found.name));
        }
    };
    let stream = Recorder::new(attached.duplex().compat(), transcript.clone());
    let session = match Session::new((), stream) {
        Ok(s) => s,
        Err(e) => return Outcome::error(format!("could not open the session: {e}")),
    };
    steps(session, &c.steps, deadline, &transcript, &found.name).await
}

async fn host(
    ctx: &RunContext,
    c: &ExpectCheck,
    deadline: Instant,
    transcript: Transcript,
) -> Outcome {
    if let Some(why) = &ctx.host.refused {
        return Outcome::error(why.clone());
    }
    if let Err(why) = crate::platform::host_pty(crate::platform::OS) {
        return Outcome::error(why);
    }
    let mut cmd = std::process::Command::new("sh");
    match &c.run {
        crate::model::CommandLine::Shell(s) => cmd.arg("-c").arg(s),
        crate::model::CommandLine::Exec(v) => cmd.arg("-c").arg("exec \"$@\"").arg("sh").args(v),
    };
    cmd.current_dir(&ctx.workspace)
        .env("LAB_PROJECT", &ctx.project)
        .envs(ctx.host.env.iter().map(|(k, v)| (k, v)))
        .env("TERM", "xterm");
    // The program and whatever it starts must not outlive the check, also when the check
    // is dropped midway (an interrupted run): the pty keeps and kills its process group.
    let pty = match crate::platform::spawn_pty(cmd) {
        Ok(p) => p,
        Err(e) => {
            return Outcome::error(format!(
                "could not start the program in {}: {e}",
                ctx.workspace.display()
            ));
        }
    };
    // `_owner` lives to the end of the check: dropping it ends the program.
    let crate::platform::Pty {
        stream,
        owner: _owner,
    } = pty;
    let stream = Recorder::new(stream, transcript.clone());
    match Session::new((), stream) {
        Ok(session) => steps(session, &c.steps, deadline, &transcript, "the program").await,
        Err(e) => Outcome::error(format!("could not open the session: {e}")),
    }
}

async fn steps<S>(
    mut session: Session<(), S>,
    steps: &[ExpectStep],
    deadline: Instant,
    transcript: &Transcript,
    who: &str,
) -> Outcome
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let left = deadline.saturating_duration_since(Instant::now());
        let result = match step {
            ExpectStep::Send(text) => session.send(text.as_bytes()).await.map(|_| ()),
            ExpectStep::SendControl(ch) => session.send([(*ch as u8) & 0x1f]).await.map(|_| ()),
            ExpectStep::Expect { pattern, timeout } => {
                let wait = timeout.map(|t| t.0.min(left)).unwrap_or(left);
                session.set_expect_timeout(Some(wait));
                match session.expect(Regex(first(pattern))).await {
                    Ok(_) => Ok(()),
                    Err(expectrl::Error::ExpectTimeout) => {
                        return Outcome::fail(format!(
                            "step {n}: waited {} for {} from {who}; it did not come",
                            Dur(wait),
                            shown_pattern(pattern)
                        ))
                        .evidence(transcript.tail(EVIDENCE_TAIL));
                    }
                    Err(expectrl::Error::Eof) => {
                        return Outcome::fail(format!(
                            "step {n}: {who} ended before {} came",
                            shown_pattern(pattern)
                        ))
                        .evidence(transcript.tail(EVIDENCE_TAIL));
                    }
                    Err(e) => Err(e),
                }
            }
            ExpectStep::ExpectEof { timeout } => {
                let wait = timeout.map(|t| t.0.min(left)).unwrap_or(left);
                session.set_expect_timeout(Some(wait));
                match session.expect(Eof).await {
                    Ok(_) | Err(expectrl::Error::Eof) => Ok(()),
                    Err(expectrl::Error::ExpectTimeout) => {
                        return Outcome::fail(format!(
                            "step {n}: waited {} for {who} to end; it kept running",
                            Dur(wait)
                        ))
                        .evidence(transcript.tail(EVIDENCE_TAIL));
                    }
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(e) = result {
            return Outcome::error(format!("step {n}: the session broke: {e}"))
                .evidence(transcript.tail(EVIDENCE_TAIL));
        }
    }
    Outcome::pass(format!("all {} steps matched", steps.len()))
        .evidence(transcript.tail(EVIDENCE_TAIL))
}

/// The pattern's first match in what came since the last step, as pexpect finds it:
/// expectrl's default search takes the last of all the matches in its buffer and drops the
/// rest, so `expect: retrying` three times failed on three lines that came at once.
/// The pattern is written out again from its parsed form, so that nothing in it (a
/// `(?x)` comment running to the end) can swallow the wrapper.
fn first(pattern: &str) -> String {
    match regex_syntax::parse(pattern) {
        Ok(hir) => format!("\\A(?s:.*?)(?:{hir})"),
        // Patterns are checked when the lab is loaded; expectrl reports it otherwise.
        Err(_) => pattern.to_string(),
    }
}

/// A pattern as a message shows it: the text itself when it is plain text (`\[y/N\]` is
/// "[y/N]"), else "the output the task expects" (a pattern can be the answer itself).
fn shown_pattern(pattern: &str) -> String {
    let mut text = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if !e.is_ascii_alphanumeric() => text.push(e),
                _ => return "the output the task expects".into(),
            },
            '.' | '^' | '$' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => {
                return "the output the task expects".into();
            }
            c => text.push(c),
        }
    }
    format!("\"{text}\"")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_step_takes_the_first_match() {
        let re = regex::bytes::Regex::new(&super::first("retrying|gave (up)")).expect("regex");
        let buf = b"x retrying\ny retrying\ngave up\n";
        let found: Vec<_> = re.find_iter(buf).map(|m| m.end()).collect();
        assert_eq!(found, vec![10]);
        let re = regex::bytes::Regex::new(&super::first("(?m)^y")).expect("regex");
        assert_eq!(re.find(buf).map(|m| m.end()), Some(12));
        // A verbose pattern whose comment runs to its end.
        let re =
            regex::bytes::Regex::new(&super::first("(?x) gave \\x20 up # the end")).expect("regex");
        assert_eq!(re.find(buf).map(|m| m.end()), Some(29));
    }

    #[test]
    fn plain_patterns_are_shown_as_text() {
        assert_eq!(super::shown_pattern("automation: OK"), "\"automation: OK\"");
        assert_eq!(super::shown_pattern("\\[y/N\\]"), "\"[y/N]\"");
        assert_eq!(
            super::shown_pattern("CONF=db:[0-9]+"),
            "the output the task expects"
        );
    }
}
