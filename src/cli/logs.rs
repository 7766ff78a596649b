//! `lab logs SERVICE [-f]`: a service's logs.

use std::io::Write;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::engine::logs::{LogChunk, LogsRequest, stream};
use crate::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service (as the lab's stack names it) or a container by name.
    service: String,
    /// Keep printing new lines as they come.
    #[arg(long, short)]
    follow: bool,
    /// Only the last N lines.
    #[arg(long, value_name = "N")]
    tail: Option<u32>,
    /// The lab (default: the one running).
    #[arg(long)]
    lab: Option<String>,
    /// The project it was started in (default: the lab id).
    #[arg(long)]
    project: Option<String>,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let (engine, found, _) = context::service_container(
        global,
        args.lab.as_deref(),
        args.project.as_deref(),
        &args.service,
    )
    .await?;
    let req = LogsRequest {
        tail: args.tail,
        follow: args.follow,
        ..LogsRequest::default()
    };
    let mut logs = std::pin::pin!(stream(&engine, &found.id, &req));
    loop {
        let next = tokio::select! {
            n = logs.next() => n,
            _ = cancel.cancelled() => return Err(CliError::Interrupted(None)),
        };
        match next {
            None => break,
            Some(Ok(LogChunk::Stderr(b))) => {
                let _ = std::io::stderr().write_all(&b);
            }
            Some(Ok(LogChunk::Stdout(b))) => {
                let mut out = std::io::stdout().lock();
                if let Err(e) = out.write_all(&b).and_then(|_| out.flush())
                    && e.kind() == std::io::ErrorKind::BrokenPipe
                {
                    break;
                }
            }
            Some(Err(e)) => return Err(CliError::Environment(e.to_string())),
        }
    }
    Ok(exit::OK)
}
