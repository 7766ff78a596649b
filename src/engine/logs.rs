//! A container's logs: read once (bounded in size and time) or followed as they come.

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::{Stream, StreamExt};

use super::connect::Engine;
use super::error::EngineError;
use crate::text::{Capped, Keep};

/// Which logs to read.
#[derive(Debug, Clone)]
pub struct LogsRequest {
    pub stdout: bool,
    pub stderr: bool,
    /// The last N lines; `None`: all.
    pub tail: Option<u32>,
    pub follow: bool,
}

impl Default for LogsRequest {
    fn default() -> Self {
        LogsRequest {
            stdout: true,
            stderr: true,
            tail: None,
            follow: false,
        }
    }
}

/// One piece of the logs, from one stream.
#[derive(Debug, Clone)]
pub enum LogChunk {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
}

/// The logs as they come (with `follow`, until the container stops or the caller drops it).
pub fn stream(
    engine: &Engine,
    id: &str,
    req: &LogsRequest,
) -> impl Stream<Item = Result<LogChunk, EngineError>> + Send + use<> {
    let tail = req
        .tail
        .map(|t| t.to_string())
        .unwrap_or_else(|| "all".into());
    let opts = LogsOptionsBuilder::default()
        .stdout(req.stdout)
        .stderr(req.stderr)
        .follow(req.follow)
        .tail(&tail)
        .build();
    let name = id.to_string();
    engine.api().logs(id, Some(opts)).filter_map(move |item| {
        let name = name.clone();
        async move {
            match item {
                Ok(LogOutput::StdErr { message }) => Some(Ok(LogChunk::Stderr(message.to_vec()))),
                Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                    Some(Ok(LogChunk::Stdout(message.to_vec())))
                }
                Ok(LogOutput::StdIn { .. }) => None,
                Err(e) => Some(Err(EngineError::engine(format!(
                    "reading the logs of {name}"
                ))(e))),
            }
        }
    })
}

/// Read the logs once, within `timeout`: at most `cap` bytes, the first ones or the last
/// ones (`keep`). `Ok(None)` when the time ran out.
pub async fn read(
    engine: &Engine,
    id: &str,
    req: &LogsRequest,
    limits: (usize, Keep),
    timeout: Duration,
) -> Result<Option<Vec<u8>>, EngineError> {
    Ok(read_window(engine, id, req, limits, timeout)
        .await?
        .map(|w| w.bytes))
}

/// The logs as `read_window` found them.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// What the streams asked for printed, capped.
    pub bytes: Vec<u8>,
    /// More was printed than `bytes` holds (the cap, not the `tail`).
    pub cut: bool,
    /// The log entries the window held, of both streams, counted as the engine counts
    /// them for `tail` (before it picks the streams, so a `tail` window of stderr holds
    /// only the stderr lines among the last lines of both), or a few more, never fewer.
    pub lines: usize,
}

/// Like `read`, and says how many lines the window held and whether the cap cut it.
/// Both streams are always asked for and the unwanted one dropped here, so `lines`
/// counts what the engine's `tail` counted.
pub async fn read_window(
    engine: &Engine,
    id: &str,
    req: &LogsRequest,
    (cap, keep): (usize, Keep),
    timeout: Duration,
) -> Result<Option<Window>, EngineError> {
    let mut buf = Capped::new(cap, keep);
    let mut lines = 0;
    let s = stream(
        engine,
        id,
        &LogsRequest {
            stdout: true,
            stderr: true,
            follow: false,
            ..req.clone()
        },
    );
    let read = async {
        let mut s = std::pin::pin!(s);
        while let Some(item) = s.next().await {
            let (wanted, b) = match item? {
                LogChunk::Stdout(b) => (req.stdout, b),
                LogChunk::Stderr(b) => (req.stderr, b),
            };
            lines += entries(&b);
            if wanted {
                buf.push(&b);
            }
            // The first bytes are all there are to keep; the last ones are the end's.
            if keep == Keep::Head && buf.full() {
                break;
            }
        }
        Ok::<_, EngineError>(())
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(r) => r.map(|()| {
            Some(Window {
                bytes: buf.bytes().to_vec(),
                cut: buf.overflowed(),
                lines,
            })
        }),
        Err(_) => Ok(None),
    }
}

/// The log entries in a piece of the logs: a line, or each 16 KiB of a longer one (the
/// engine's log driver stores a long line in parts, and `tail` counts the parts). A line
/// that a piece cuts in two counts in both: too many only costs a reader a second read.
fn entries(piece: &[u8]) -> usize {
    const PART: usize = 16 * 1024;
    piece
        .split_inclusive(|&c| c == b'\n')
        .map(|line| {
            line.strip_suffix(b"\n")
                .unwrap_or(line)
                .len()
                .div_ceil(PART)
                .max(1)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::entries;

    #[test]
    fn entries_are_lines_and_the_parts_of_long_ones() {
        assert_eq!(entries(b"one\n"), 1);
        assert_eq!(entries(b"one\ntwo\nthr"), 3);
        assert_eq!(entries(b"\n\n"), 2);
        assert_eq!(entries(&[b'x'; 16 * 1024]), 1);
        assert_eq!(entries(&[b'x'; 40_000]), 3);
        assert_eq!(entries(b""), 0);
    }
}
