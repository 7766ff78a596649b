//! `lab show ID`: the lab's text for the terminal.

use std::process::ExitCode;

use super::{Global, context};
use crate::exit;
use crate::ui::{Style, lab_view, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab (its folder name, e.g. week1).
    id: String,
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let course = match context::course(global) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let lab = match context::lab(&course, &args.id) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let style = Style::detect(global.color, false);
    output::out(&lab_view::render(lab, style));
    Ok(exit::code(exit::OK))
}
