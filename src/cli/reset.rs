//! `lab reset ID`: stop with volumes, then start afresh.

use std::process::ExitCode;

use super::{Global, context, start, stop};
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

pub async fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let course = match context::course(global) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let lab = match context::lab(&course, &args.id) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let docker = match context::engine().await {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let project = args.project.clone().unwrap_or_else(|| lab.id.clone());
    let code = stop::stop(&docker, &lab.id, &project, true, global).await;
    if code != exit::OK {
        return Ok(exit::code(code));
    }
    let code = start::provision(&docker, &course.id, lab, &project, false, global).await;
    if code == exit::OK {
        output::out(&crate::ui::lab_view::intro(
            lab,
            &project,
            Style::detect(global.color, false),
        ));
    }
    Ok(exit::code(code))
}
