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
/// aside), within `time`.
pub async fn scan(
    engine: &Engine,
    id: &str,
    req: &LogsRequest,
    m: &Matcher,
    time: Duration,
) -> Result<Scanned, crate::engine::EngineError> {
    let mut leaves: Vec<&Matcher> = Vec::new();
    gather(m, &mut leaves);
    let piecewise = leaves
        .iter()
        .all(|l| matches!(l, Matcher::Contains(_) | Matcher::Matches(_)));
    let mut seen = vec![false; leaves.len()];
    let mut buf: Vec<u8> = Vec::new();
    let mut stretches = 0usize;
    let judge = |buf: &[u8], seen: &mut [bool]| {
        // As the check reads a window: without a terminal's colours, printable.
        let words = printable(&without_escapes(buf));
        for (i, leaf) in leaves.iter().enumerate() {
            if !seen[i] && text(leaf, &words) {
                seen[i] = true;
            }
        }
    };
    let all = LogsRequest {
        tail: None,
        follow: false,
        ..req.clone()
    };
    let logs = stream(engine, id, &all);
    let read = async {
        let mut logs = std::pin::pin!(logs);
        while let Some(chunk) = logs.next().await {
            let (LogChunk::Stdout(b) | LogChunk::Stderr(b)) = chunk?;
            buf.extend_from_slice(&b);
            if buf.len() < STRETCH + OVERLAP {
                continue;
            }
            if !piecewise {
                return Ok(false);
            }
            judge(&buf, &mut seen);
            stretches += 1;
            let from = buf.len() - OVERLAP;
            let from = buf[from..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(from, |i| from + i + 1);
            buf.drain(..from);
            // Every leaf found: nothing later can change the verdict.
            if seen.iter().all(|s| *s) {
                return Ok(true);
            }
        }
        judge(&buf, &mut seen);
        stretches += 1;
        Ok::<_, crate::engine::EngineError>(true)
    };
    match tokio::time::timeout(time, read).await {
        Err(_) => Ok(Scanned::TooSlow),
        Ok(Err(e)) => Err(e),
        Ok(Ok(false)) => Ok(Scanned::Whole),
        Ok(Ok(true)) if !piecewise && stretches > 1 => Ok(Scanned::Whole),
        Ok(Ok(true)) => {
            let found = |leaf: &Matcher| {
                leaves
                    .iter()
                    .position(|l| std::ptr::eq(*l, leaf))
                    .is_some_and(|i| seen[i])
            };
            let unmet =
                (!with_leaf(m, &found)).then(|| wanted(unmet(m, &|p| with_leaf(p, &found))));
            Ok(Scanned::Judged(unmet))
        }
    }
}

/// The leaves of `m` (what is not `not`, `all` or `any`), each once.
fn gather<'m>(m: &'m Matcher, into: &mut Vec<&'m Matcher>) {
    match m {
        Matcher::Not(inner) => gather(inner, into),
        Matcher::All(ms) | Matcher::Any(ms) => ms.iter().for_each(|m| gather(m, into)),
        leaf => into.push(leaf),
    }
}
