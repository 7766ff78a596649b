//! `logs`: a container's logs match.

use std::time::Duration;

use crate::checks::context::RunContext;
use crate::checks::matcher::{text, undecided_when_cut};
use crate::checks::outcome::Outcome;
use crate::checks::target::find;
use crate::checks::words::{unmet, wanted};
use crate::engine::Engine;
use crate::engine::logs::{LogsRequest, Window, read_window};
use crate::model::{LogStream, LogsCheck};
use crate::text::{Keep, printable, without_escapes};

/// Logs are read up to this much; a container that printed 100 MB is judged on its tail
/// (the newest lines, where what a check looks for after an action is).
const LOG_CAP: usize = 1024 * 1024;

/// The lines read first when the check gives no `tail`.
const DEFAULT_TAIL: u32 = 2000;

pub async fn run(ctx: &RunContext, c: &LogsCheck, timeout: Duration) -> Outcome {
    let found = match find(ctx, &c.target).await {
        Ok(f) => f,
        Err(o) => return o,
    };
    let engine = match ctx.engine() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    // With no `tail` on the check, the logs are what `docker logs` shows. The last lines
    // are read first (a flood of 100 MB takes seconds to stream); when there were more
    // and the verdict could lie before them, all of them are read, to the cap.
    let lines = c.tail.unwrap_or(DEFAULT_TAIL);
    let whole = c.tail.is_none();
    let req = LogsRequest {
        stdout: c.stream != LogStream::Stderr,
        stderr: c.stream != LogStream::Stdout,
        tail: Some(if whole { lines + 1 } else { lines }),
        follow: false,
    };
    let mut window = match read_logs(engine, &found.id, &req, timeout).await {
        Ok(w) => w,
        Err(o) => return o,
    };
    if whole && window.lines > lines as usize {
        let seen = printable(&without_escapes(&window.bytes));
        if undecided_when_cut(&c.matcher, &seen) {
            let all = LogsRequest { tail: None, ..req };
            window = match read_logs(engine, &found.id, &all, timeout).await {
                Ok(w) => w,
                Err(o) => return o,
            };
        }
    }
    let (buf, cut) = (window.bytes, window.cut);
    // Colours a program prints on a terminal (`tty: true`) are not part of what it said:
    // `docker logs` in a terminal shows them as colours, and a student reads the words.
    let logs = printable(&without_escapes(&buf));
    let last: String = {
        let lines: Vec<&str> = logs.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    };
    if cut && undecided_when_cut(&c.matcher, &logs) {
        return Outcome::error(format!(
            "the logs of {} are longer than the {} MiB a check reads, so whether they hold what is asked cannot be told (a `tail:` on the check reads fewer lines)",
            found.name,
            LOG_CAP / (1024 * 1024)
        ));
    }
    if text(&c.matcher, &logs) {
        Outcome::pass(format!("the logs of {} match", found.name)).evidence(last)
    } else {
        Outcome::fail(format!(
            "expected the logs of {} to {}; they do not",
            found.name,
            wanted(unmet(&c.matcher, &|p| text(p, &logs)))
        ))
        .evidence(last)
    }
}

async fn read_logs(
    engine: &Engine,
    id: &str,
    req: &LogsRequest,
    timeout: Duration,
) -> Result<Window, Outcome> {
    match read_window(engine, id, req, (LOG_CAP, Keep::Tail), timeout).await {
        Ok(Some(w)) => Ok(w),
        Ok(None) => Err(Outcome::error(format!(
            "reading the logs took longer than {}",
            crate::model::Dur(timeout)
        ))),
        Err(e) => Err(Outcome::error(format!("could not read the logs: {e}"))),
    }
}
