//! `lab completions SHELL`: completion scripts generated from the one definition of the flags.

use clap::CommandFactory;

use crate::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    shell: clap_complete::Shell,
}

pub fn run(args: Args) -> super::CliResult {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "lab", &mut buf);
    crate::ui::output::out(&String::from_utf8_lossy(&buf));
    Ok(exit::OK)
}
