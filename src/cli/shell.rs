//! `lab shell SERVICE [CMD...]`: an interactive terminal in a service's container.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::engine::exec::{ExecRequest, attach, exec};
use crate::engine::{Engine, Found};
use crate::ui::attach::{Ended, interactive, run as pump};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service (as the lab's stack names it) or a container by name.
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

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let (engine, found, project) = context::service_container(
        global,
        args.lab.as_deref(),
        args.project.as_deref(),
        &args.service,
    )
    .await?;
    let cmd = if args.cmd.is_empty() {
        default_shell(&engine, &found).await
    } else {
        args.cmd
    };
    let tty = interactive();
    let term = std::env::var("TERM").unwrap_or_else(|_| "xterm".into());
    let attached = attach(&engine, &found.id, cmd, vec![format!("TERM={term}")], tty).await?;
    let handle = attached.handle();
    match pump(attached, cancel).await {
        Ended::Exited(code) => Ok(u8::try_from(code).unwrap_or(1)),
        Ended::Interrupted => {
            // The engine keeps an exec running when its client goes: end it ourselves.
            if let Some((true, pid)) = handle.running().await
                && pid > 0
            {
                end_exec(&engine, &project, pid).await;
            }
            Err(CliError::Interrupted(None))
        }
    }
}

/// The first of bash and sh the container has.
async fn default_shell(engine: &Engine, found: &Found) -> Vec<String> {
    let probe = ExecRequest {
        cmd: vec!["sh".into(), "-c".into(), "command -v bash".into()],
        ..Default::default()
    };
    match exec(engine, &found.id, &probe, Duration::from_secs(3), 1024).await {
        Ok(out) if out.exit == Some(0) && !out.stdout.trim().is_empty() => vec!["bash".into()],
        _ => vec!["sh".into()],
    }
}

/// Hang up the session's process (as closing a terminal does), from the engine host.
async fn end_exec(engine: &Engine, project: &str, pid: i64) {
    use crate::engine::control::{HelperSpec, crash};
    let run = crate::engine::new_run_id();
    let helper = HelperSpec {
        image: crate::engine::HELPER_IMAGE,
        project,
        run: &run,
    };
    let _ = crash(engine, pid, "HUP", &helper, Duration::from_secs(5)).await;
}
