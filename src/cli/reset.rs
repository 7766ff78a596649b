//! `lab reset ID`: stop with volumes, then start afresh.

use tokio_util::sync::CancellationToken;

use super::{CliResult, Global, context, start, stop};
use crate::exit;
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab to reset.
    id: String,
    /// The project it was started in (default: the lab id).
    #[arg(long)]
    project: Option<String>,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let course = context::course(global)?;
    let lab = context::lab(&course, &args.id)?;
    let engine = context::engine().await?;
    let project = args.project.clone().unwrap_or_else(|| lab.id.clone());
    stop::stop(&engine, &lab.id, &project, true, global).await?;
    start::provision(&engine, &course, lab, &project, false, global, cancel).await?;
    output::out(&crate::ui::lab_view::intro(
        lab,
        &project,
        Style::detect(global.color, false),
        crate::ui::terminal::columns(),
    ));
    Ok(exit::OK)
}
