//! `lab status [ID]`: the lab's services, their state, health and published ports.

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::ui::{Style, output, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab (default: the one running).
    id: Option<String>,
    /// The project it was started in (default: the lab id).
    #[arg(long)]
    project: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let context::Running {
        engine,
        lab,
        project,
        ..
    } = context::running(global, args.id.as_deref(), args.project.as_deref()).await?;
    let services = crate::engine::status(&engine, &project)
        .await
        .map_err(|e| CliError::Environment(format!("could not list the lab's containers: {e}")))?;
    if args.json {
        let doc = serde_json::json!({ "version": 1, "lab": lab, "project": project, "services": services });
        output::out(&format!("{doc:#}\n"));
        return Ok(exit::OK);
    }
    let style = Style::detect(global.color, false);
    if services.is_empty() {
        output::out(&format!(
            "{lab} is not running (project {project}); `lab start {lab}` starts it\n"
        ));
        return Ok(exit::OK);
    }
    let rows: Vec<Vec<String>> = services
        .iter()
        .map(|s| {
            let state = match s.state.as_str() {
                "running" => style.green(&s.state),
                "exited" | "dead" => style.red(&s.state),
                other => style.yellow(other),
            };
            let health = match s.health.as_str() {
                "healthy" => style.green("healthy"),
                "unhealthy" => style.red("unhealthy"),
                "none" => style.dim("-"),
                other => style.yellow(other),
            };
            vec![
                s.service.clone(),
                s.container.clone(),
                state,
                health,
                s.ports.join(", "),
            ]
        })
        .collect();
    output::out(&format!(
        "{} {}\n",
        style.bold(&lab),
        style.dim(&format!("(project {project})"))
    ));
    output::out(&table::render(
        &["SERVICE", "CONTAINER", "STATE", "HEALTH", "PORTS"],
        &rows,
        style,
    ));
    Ok(exit::OK)
}
