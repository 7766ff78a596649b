//! `lab files ID`: the folder of a lab's own files (Dockerfiles, configs, seed data), as an
//! absolute path, so that a task's command works from any folder:
//! `docker build -t week4-app:v1 "$(lab files week4)/app"`.

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::ui::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab.
    id: String,
}

pub fn run(global: &Global, args: Args) -> CliResult {
    let course = context::course(global)?;
    let lab = context::lab(&course, &args.id)?;
    let files = lab.dir.join("files");
    if !files.is_dir() {
        return Err(CliError::Invalid(format!(
            "lab {} has no files of its own (there is no folder {})",
            lab.id,
            files.display()
        )));
    }
    let path = std::path::absolute(&files).unwrap_or(files);
    output::out(&format!("{}\n", path.display()));
    Ok(exit::OK)
}
