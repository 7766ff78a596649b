//! `lab check [ID]`: grade the live environment and report.

use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::checks::Status;
use crate::exit;
use crate::report::{Format, github};
use crate::session::grade::{GradeOptions, grade};
use crate::session::record;
use crate::ui::{Style, live::Live, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab to grade (default: the lab running on the engine).
    id: Option<String>,
    /// The project the lab was started in (default: the lab id).
    #[arg(long)]
    project: Option<String>,
    /// Where `file` and `command` checks look (default: the current folder).
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Show each check's evidence (output, transcript).
    #[arg(long, short)]
    verbose: bool,
    /// Only these checks (by id; repeatable).
    #[arg(long = "only", value_name = "CHECK")]
    only: Vec<String>,
    /// How many checks may run at once.
    #[arg(long, default_value_t = 8)]
    jobs: usize,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let running = context::running(global, args.id.as_deref(), args.project.as_deref()).await?;
    let lab = context::lab(&running.course, &running.lab)?;
    let opts = GradeOptions {
        project: running.project.clone(),
        workspace: args
            .workspace
            .clone()
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_default()),
        only: args.only.clone(),
        jobs: args.jobs,
        host: Default::default(),
    };
    let err_style = Style::detect(global.color, true);
    let live = Live::new(err_style.color && args.format == Format::Text && args.output.is_none());
    let started_ms = crate::progress::now_ms();
    let graded = grade(Some(&running.engine), lab, &opts, &live.events(), cancel).await;
    live.finish();
    let mut report = graded?;
    // Every attempt is kept for `lab progress`; a store that cannot take it never stops
    // the grade, and the report says why it was not recorded.
    let attempt = record::attempt(&running.course.id, lab, &report, started_ms, "check");
    if let Err(why) = record::record(None, &attempt) {
        report
            .notes
            .push(format!("this attempt was not recorded: {why}"));
    }

    let style = if args.output.is_some() {
        Style::PLAIN
    } else {
        Style::detect(global.color, false)
    };
    let rendered = match args.format {
        Format::Github => {
            let (text, warning) = github::emit(&report);
            if let Some(w) = warning {
                output::err(&format!("warning: {w}\n"));
            }
            text
        }
        f => report.render(f, args.verbose, style),
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered.as_bytes()).map_err(|e| {
            CliError::Environment(format!("could not write {}: {e}", path.display()))
        })?,
        None => output::out(&rendered),
    }
    Ok(match report.status {
        Status::Pass => exit::OK,
        Status::Fail | Status::Blocked | Status::Error => exit::CHECKS_FAILED,
    })
}
