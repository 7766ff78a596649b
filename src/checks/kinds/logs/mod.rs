//! `logs`: a container's logs match.

mod scan;

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
use scan::{Scanned, scan};

/// A window of the last lines is held up to this much (its newest part); all of the logs
/// are scanned, not held.
const LOG_CAP: usize = 1024 * 1024;

/// The lines read first when the check gives no `tail`.
const DEFAULT_TAIL: u32 = 2000;

pub async fn run(ctx: &RunContext, c: &LogsCheck, timeout: Duration) -> Outcome {
    let started = std::time::Instant::now();
    let found = match find(ctx, &c.target).await {
        Ok(f) => f,
        Err(o) => return o,
    };
    let engine = match ctx.engine() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    // With no `tail` on the check, the logs are what `docker logs` shows. The last lines
    // are read first; when there were more and the verdict could lie before them, all of
    // them are scanned as they stream (a flood of 100 MB is not held).
    let lines = c.tail.unwrap_or(DEFAULT_TAIL);
    let whole = c.tail.is_none();
    let req = LogsRequest {
        stdout: c.stream != LogStream::Stderr,
        stderr: c.stream != LogStream::Stdout,
        tail: Some(if whole { lines + 1 } else { lines }),
        follow: false,
    };
    let window = match read_logs(engine, &found.id, &req, timeout).await {
        Ok(w) => w,
        Err(o) => return o,
    };
    // Colours a program prints on a terminal (`tty: true`) are not part of what it said:
    // `docker logs` in a terminal shows them as colours, and a student reads the words.
    let logs = printable(&without_escapes(&window.bytes));
    let last: String = {
        let lines: Vec<&str> = logs.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    };
    let more = window.cut || window.lines > lines as usize;
    if whole && more && undecided_when_cut(&c.matcher, &logs) {
        let left = timeout.saturating_sub(started.elapsed());
        return match scan(engine, &found.id, &req, (&c.matcher, &logs), left).await {
            Ok(Scanned::Judged(unmet)) => judged(&found.name, unmet, last),
            Ok(Scanned::TooSlow) => Outcome::error(format!(
                    "the logs of {} are too long to read in {}, so whether they hold what is asked cannot be told (a `tail:` on the check reads only the last lines)",
                    found.name,
                crate::model::Dur(timeout)
            ))
            .evidence(last),
            Ok(Scanned::Whole) => too_long(&found.name).evidence(last),
            Err(e) => Outcome::error(format!("could not read the logs: {e}")),
        };
    }
    if window.cut && undecided_when_cut(&c.matcher, &logs) {
        return too_long(&found.name);
    }
    let unmet = (!text(&c.matcher, &logs)).then(|| wanted(unmet(&c.matcher, &|p| text(p, &logs))));
    judged(&found.name, unmet, last)
}

/// The verdict: `unmet` says what the logs were expected to do and do not.
fn judged(name: &str, unmet: Option<String>, last: String) -> Outcome {
    match unmet {
        None => Outcome::pass(format!("the logs of {name} match")),
        Some(want) => Outcome::fail(format!(
            "expected the logs of {name} to {want}; they do not"
        )),
    }
    .evidence(last)
}

fn too_long(name: &str) -> Outcome {
    Outcome::error(format!(
        "the logs of {name} are longer than the {} MiB a check reads, so whether they hold what is asked cannot be told (a `tail:` on the check reads fewer lines)",
        LOG_CAP / (1024 * 1024)
    ))
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
