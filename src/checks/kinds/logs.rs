//! `logs`: a container's logs match.

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;

use crate::checks::context::RunContext;
use crate::checks::docker::find;
use crate::checks::matcher::{describe, text};
use crate::checks::outcome::{Outcome, printable};
use crate::model::{LogStream, LogsCheck};

/// Logs are read up to this much; a container that printed 100 MB is judged on its tail.
const LOG_CAP: usize = 1024 * 1024;

pub async fn run(ctx: &RunContext, c: &LogsCheck, timeout: Duration) -> Outcome {
    let found = match find(ctx, &c.target).await {
        Ok(f) => f,
        Err(e) => return Outcome::error(e),
    };
    let docker = match ctx.docker() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    let tail = c
        .tail
        .map(|t| t.to_string())
        .unwrap_or_else(|| "2000".into());
    let opts = LogsOptionsBuilder::default()
        .stdout(c.stream != LogStream::Stderr)
        .stderr(c.stream != LogStream::Stdout)
        .tail(&tail)
        .build();
    let mut stream = docker.logs(&found.id, Some(opts));
    let mut buf = Vec::new();
    let read = async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(
                    LogOutput::StdOut { message }
                    | LogOutput::StdErr { message }
                    | LogOutput::Console { message },
                ) => {
                    let room = LOG_CAP.saturating_sub(buf.len());
                    buf.extend_from_slice(&message[..message.len().min(room)]);
                    if room == 0 {
                        break;
                    }
                }
                Ok(LogOutput::StdIn { .. }) => {}
                Err(e) => return Err(format!("could not read the logs: {e}")),
            }
        }
        Ok(())
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Outcome::error(e),
        Err(_) => {
            return Outcome::error(format!(
                "reading the logs took longer than {}",
                crate::model::Dur(timeout)
            ));
        }
    }
    let logs = printable(&buf);
    let last: String = {
        let lines: Vec<&str> = logs.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    };
    if text(&c.matcher, &logs) {
        Outcome::pass(format!("the logs of {} match", found.name)).evidence(last)
    } else {
        Outcome::fail(format!(
            "expected the logs of {} to be such that they {}; they do not",
            found.name,
            describe(&c.matcher)
        ))
        .evidence(last)
    }
}
