//! `lab stop [ID]`: remove the lab's containers and networks (volumes with --volumes).

use super::{CliError, CliResult, Global, context};
use crate::engine::Engine;
use crate::exit;
use crate::session::down::down;
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab to stop (default: the one running).
    pub id: Option<String>,
    /// The project it was started in (default: the lab id).
    #[arg(long)]
    pub project: Option<String>,
    /// Also remove the lab's named volumes (its data).
    #[arg(long)]
    pub volumes: bool,
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let r = context::running(global, args.id.as_deref(), args.project.as_deref()).await?;
    stop(&r.engine, &r.lab, &r.project, args.volumes, global).await?;
    Ok(exit::OK)
}

/// Take the lab down and say what was removed (and kept).
pub async fn stop(
    engine: &Engine,
    lab: &str,
    project: &str,
    volumes: bool,
    global: &Global,
) -> Result<(), CliError> {
    let style = Style::detect(global.color, true);
    let started = std::time::Instant::now();
    let t = down(engine, project, volumes).await;
    let mut msg = format!(
        "{} {lab}: removed {} in {:.1}s\n",
        style.green("stopped"),
        if t.removed.is_empty() {
            "nothing (it was not running)".to_string()
        } else {
            t.removed.join(", ")
        },
        started.elapsed().as_secs_f64()
    );
    if !t.disconnected.is_empty() {
        msg.push_str(&format!(
            "disconnected your own container(s) from the lab's networks and kept them: {}\n",
            t.disconnected.join(", ")
        ));
    }
    if !volumes {
        msg.push_str(&style.dim("named volumes were kept; `--volumes` removes them\n"));
    }
    output::err(&msg);
    if t.errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Environment(t.errors.join("\n")))
    }
}
