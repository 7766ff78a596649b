//! `lab show ID`: the lab's text for the terminal.

use super::{Global, context};
use crate::exit;
use crate::ui::{Style, lab_view, output, terminal};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab (its folder name, e.g. week1).
    id: String,
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let course = context::course(global)?;
    let lab = context::lab(&course, &args.id)?;
    let style = Style::detect(global.color, false);
    output::out(&lab_view::render(lab, style, terminal::columns()));
    Ok(exit::OK)
}
