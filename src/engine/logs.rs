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
    (cap, keep): (usize, Keep),
    timeout: Duration,
) -> Result<Option<Vec<u8>>, EngineError> {
    let mut buf = Capped::new(cap, keep);
    let s = stream(
        engine,
        id,
        &LogsRequest {
            follow: false,
            ..req.clone()
        },
    );
    let read = async {
        let mut s = std::pin::pin!(s);
        while let Some(item) = s.next().await {
            match item? {
                LogChunk::Stdout(b) | LogChunk::Stderr(b) => buf.push(&b),
            }
            // The first bytes are all there are to keep; the last ones are the end's.
            if keep == Keep::Head && buf.full() {
                break;
            }
        }
        Ok::<_, EngineError>(())
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(r) => r.map(|()| Some(buf.bytes().to_vec())),
        Err(_) => Ok(None),
    }
}
