//! All of a container's logs, judged as they stream: logs of 100 MB are not held, and a
//! `contains` or `matches` anywhere in them is found.

use std::time::Duration;

use futures_util::StreamExt;

use crate::checks::matcher::{text, with_leaf};
use crate::checks::words::{unmet, wanted};
use crate::engine::Engine;
use crate::engine::logs::{LogChunk, LogsRequest, stream};
use crate::model::Matcher;
use crate::text::{printable, without_escapes};

/// How much of the logs is judged at once, and how much of it again with the next
/// stretch, from a line's start: a line across the border is whole in one of them.
const STRETCH: usize = 1024 * 1024;
const OVERLAP: usize = 64 * 1024;

/// What a scan found.
pub enum Scanned {
    /// The matcher holds for all of the logs (`None`), or what it expected and they do not.
    Judged(Option<String>),
    /// The logs did not stream to their end in time.
    TooSlow,
    /// The matcher compares the logs as a whole (`equals`, a number) and they are longer
    /// than one stretch.
    Whole,
}

/// Every leaf of `m` looked for in every stretch of the logs `req` asks for (its `tail`
/// aside), within `time`. What `window` (the last lines, already read) holds is found.
pub async fn scan(
    engine: &Engine,
    id: &str,
    req: &LogsRequest,
    (m, window): (&Matcher, &str),
    time: Duration,
) -> Result<Scanned, crate::engine::EngineError> {
    let mut leaves: Vec<&Matcher> = Vec::new();
    gather(m, &mut leaves);
    let piecewise = leaves
        .iter()
        .all(|l| matches!(l, Matcher::Contains(_) | Matcher::Matches(_)));
    let judge = |text_of: &str, seen: &mut [bool]| {
        for (i, leaf) in leaves.iter().enumerate() {
            if !seen[i] && text(leaf, text_of) {
                seen[i] = true;
            }
        }
    };
    // A leaf found stays found: the verdict is settled once the leaves not found yet
    // cannot change it, found later or never.
    let holds = |seen: &[bool], unseen: bool| {
        with_leaf(m, &|leaf: &Matcher| {
            leaves
                .iter()
                .position(|l| std::ptr::eq(*l, leaf))
                .is_some_and(|i| seen[i] || unseen)
        })
    };
    let settled = |seen: &[bool]| holds(seen, false) == holds(seen, true);
    let mut seen = vec![false; leaves.len()];
    if piecewise {
        judge(window, &mut seen);
    }
    let mut buf: Vec<u8> = Vec::new();
    let all = LogsRequest {
        tail: None,
        follow: false,
        ..req.clone()
    };
    let logs = stream(engine, id, &all);
    let read = async {
        if piecewise && settled(&seen) {
            return Ok(true);
        }
        let mut logs = std::pin::pin!(logs);
        while let Some(chunk) = logs.next().await {
            let (LogChunk::Stdout(b) | LogChunk::Stderr(b)) = chunk?;
            buf.extend_from_slice(&b);
            if buf.len() < STRETCH + OVERLAP {
                continue;
            }
            // `equals` and numbers compare all of the logs at once.
            if !piecewise {
                return Ok(false);
            }
            judge(&printable(&without_escapes(&buf)), &mut seen);
            let from = buf.len() - OVERLAP;
            let from = buf[from..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(from, |i| from + i + 1);
            buf.drain(..from);
            if settled(&seen) {
                return Ok(true);
            }
        }
        // As the check reads a window: without a terminal's colours, printable.
        judge(&printable(&without_escapes(&buf)), &mut seen);
        Ok::<_, crate::engine::EngineError>(true)
    };
    match tokio::time::timeout(time, read).await {
        Err(_) => Ok(Scanned::TooSlow),
        Ok(Err(e)) => Err(e),
        Ok(Ok(false)) => Ok(Scanned::Whole),
        Ok(Ok(true)) => {
            let found = |p: &Matcher| {
                with_leaf(p, &|leaf: &Matcher| {
                    leaves
                        .iter()
                        .position(|l| std::ptr::eq(*l, leaf))
                        .is_some_and(|i| seen[i])
                })
            };
            let unmet = (!found(m)).then(|| wanted(unmet(m, &found)));
            Ok(Scanned::Judged(unmet))
        }
    }
}

/// The leaves of `m`: what is not `not`, `all` or `any`.
fn gather<'m>(m: &'m Matcher, into: &mut Vec<&'m Matcher>) {
    match m {
        Matcher::Not(inner) => gather(inner, into),
        Matcher::All(ms) | Matcher::Any(ms) => ms.iter().for_each(|m| gather(m, into)),
        leaf => into.push(leaf),
    }
}
