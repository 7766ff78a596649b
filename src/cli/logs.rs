//! `lab logs SERVICE [-f]`: a service's logs.

use std::io::Write;
use std::process::ExitCode;

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;

use super::{Global, context};
use crate::exit;
use crate::ui::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service (as the lab's stack names it).
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

pub async fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let (docker, found) = match context::service_container(
        global,
        args.lab.as_deref(),
        args.project.as_deref(),
        &args.service,
    )
    .await
    {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    let tail = args
        .tail
        .map(|t| t.to_string())
        .unwrap_or_else(|| "all".into());
    let opts = LogsOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .follow(args.follow)
        .tail(&tail)
        .build();
    let mut stream = docker.logs(&found.id, Some(opts));
    loop {
        let next = tokio::select! {
            n = stream.next() => n,
            _ = tokio::signal::ctrl_c() => return Ok(exit::code(exit::OK)),
        };
        match next {
            None => break,
            Some(Ok(LogOutput::StdErr { message })) => {
                let _ = std::io::stderr().write_all(&message);
            }
            Some(Ok(chunk)) => {
                let mut out = std::io::stdout().lock();
                if let Err(e) = out.write_all(&chunk.into_bytes()).and_then(|_| out.flush())
                    && e.kind() == std::io::ErrorKind::BrokenPipe
                {
                    break;
                }
            }
            Some(Err(e)) => {
                output::err(&format!(
                    "error: reading the logs of {}: {e}\n",
                    args.service
                ));
                return Ok(exit::code(exit::ENVIRONMENT));
            }
        }
    }
    Ok(exit::code(exit::OK))
}
