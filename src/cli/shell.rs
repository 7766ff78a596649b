//! `lab shell SERVICE [CMD...]`: an interactive terminal in a service's container.

use std::process::ExitCode;

use super::{Global, context};
use crate::exit;
use crate::ui::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service (as the lab's stack names it).
    service: String,
    /// The command to run (default: bash, else sh).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    cmd: Vec<String>,
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
    let cmd = if args.cmd.is_empty() {
        crate::engine::shell::default_shell(&docker, &found.id).await
    } else {
        args.cmd
    };
    match crate::engine::shell::shell(&docker, &found.id, cmd).await {
        Ok(code) => Ok(ExitCode::from(u8::try_from(code).unwrap_or(1))),
        Err(e) => {
            output::err(&format!("error: {e}\n"));
            Ok(exit::code(e.exit_code()))
        }
    }
}
