//! `lab check [ID]`: grade the live environment and report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Global, context};
use crate::checks::{RunContext, RunEvent, Status};
use crate::exit;
use crate::report::{Format, Report, github};
use crate::ui::{Style, output};

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

pub async fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let context::Running {
        course,
        docker,
        lab: id,
        project,
    } = match context::running(global, args.id.as_deref(), args.project.as_deref()).await {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let lab = match context::lab(&course, &id) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let checks: Vec<_> = if args.only.is_empty() {
        lab.checks.clone()
    } else {
        for want in &args.only {
            if lab.check(want).is_none() {
                output::err(&format!("error: lab {} has no check \"{want}\"\n", lab.id));
                return Ok(exit::code(exit::INVALID_INPUT));
            }
        }
        lab.checks
            .iter()
            .filter(|c| args.only.contains(&c.id))
            .cloned()
            .collect()
    };
    let workspace = match &args.workspace {
        Some(w) if !w.is_dir() => {
            output::err(&format!(
                "error: the workspace {} is not a folder\n",
                w.display()
            ));
            return Ok(exit::code(exit::INVALID_INPUT));
        }
        Some(w) => w.clone(),
        None => std::env::current_dir().unwrap_or_default(),
    };
    let ctx = Arc::new(RunContext {
        docker: Some(docker),
        project: project.clone(),
        workspace,
        lab_dir: lab.dir.clone(),
        default_timeout: Duration::from_secs(10),
        helper_image: crate::engine::HELPER_IMAGE.to_string(),
    });

    let err_style = Style::detect(global.color, true);
    let live = err_style.color && args.format == Format::Text && args.output.is_none();
    let progress = crate::ui::progress::Checklist::new(live, checks.len());
    let on_event = |e: RunEvent| progress.event(&e);
    let start = Instant::now();
    let results = crate::checks::run_checks(ctx, lab, &checks, args.jobs, &on_event).await;
    progress.finish();
    let report = Report::new(lab, &project, results, start.elapsed());

    let style = if args.output.is_some() {
        Style::PLAIN
    } else {
        Style::detect(global.color, false)
    };
    let rendered = match args.format {
        Format::Github => {
            let gh = github::render(&report);
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                use std::io::Write;
                let appended = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(gh.summary.as_bytes()));
                if let Err(e) = appended {
                    output::err(&format!(
                        "warning: could not write the job summary to {}: {e}\n",
                        PathBuf::from(path).display()
                    ));
                }
                gh.annotations
            } else {
                format!("{}\n{}", gh.annotations, gh.summary)
            }
        }
        f => report.render(f, args.verbose, style),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered.as_bytes()) {
                output::err(&format!("error: could not write {}: {e}\n", path.display()));
                return Ok(exit::code(exit::ENVIRONMENT));
            }
        }
        None => output::out(&rendered),
    }
    Ok(exit::code(match report.status {
        Status::Pass => exit::OK,
        Status::Fail | Status::Error => exit::CHECKS_FAILED,
    }))
}
