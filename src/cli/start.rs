//! `lab start ID`: provision the lab's stack, then show its intro and tasks.
//! A failed or interrupted start removes everything it created.

use std::io::IsTerminal;
use std::process::ExitCode;

use super::{Global, context};
use crate::engine::{ApplyOptions, EngineError, apply, new_run_id, plan, rollback};
use crate::exit;
use crate::model::Lab;
use crate::ui::{Style, lab_view, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab to start (its folder name, e.g. week1).
    pub id: String,
    /// Start it under another project name (a second copy of the lab).
    #[arg(long)]
    pub project: Option<String>,
    /// Keep what a failed start created, to inspect it.
    #[arg(long)]
    pub keep_on_failure: bool,
    /// Do not print the lab's intro and tasks afterwards.
    #[arg(long, short)]
    pub quiet: bool,
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
    let code = provision(
        &docker,
        &course.id,
        lab,
        &project,
        args.keep_on_failure,
        global,
    )
    .await;
    if code == exit::OK && !args.quiet {
        output::out(&lab_view::intro(
            lab,
            &project,
            Style::detect(global.color, false),
        ));
    }
    Ok(exit::code(code))
}

/// Apply the lab's plan in `project`; on failure or Ctrl-C, roll back this run.
pub async fn provision(
    docker: &bollard::Docker,
    course: &str,
    lab: &Lab,
    project: &str,
    keep_on_failure: bool,
    global: &Global,
) -> u8 {
    let err_style = Style::detect(global.color, true);
    let plan = match plan(lab, course, project) {
        Ok(p) => p,
        Err(e) => {
            output::err(&format!("{} {e}\n", err_style.red("error:")));
            return e.exit_code();
        }
    };
    let run_id = new_run_id();
    let opts = ApplyOptions {
        live: std::io::stderr().is_terminal(),
        ..ApplyOptions::default()
    };
    let started = std::time::Instant::now();
    let result = tokio::select! {
        r = apply(docker, &plan, &opts, &run_id) => r,
        _ = tokio::signal::ctrl_c() => Err(EngineError::Interrupted),
    };
    match result {
        Ok(applied) => {
            let mut parts = Vec::new();
            for (n, what) in [
                (applied.created.len(), "created"),
                (applied.recreated.len(), "recreated"),
                (applied.started.len(), "started"),
                (applied.kept.len(), "already running"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
            if parts.is_empty() {
                parts.push("nothing to run".into());
            }
            output::err(&format!(
                "{} {} in project {} ({}) in {:.1}s\n",
                err_style.green("started"),
                lab.id,
                project,
                parts.join(", "),
                started.elapsed().as_secs_f64()
            ));
            exit::OK
        }
        Err(e) => {
            let code = e.exit_code();
            if keep_on_failure {
                output::err(&format!(
                    "{} {e}\nkept what this start created (--keep-on-failure); `lab stop {}` removes it\n",
                    err_style.red("error:"),
                    lab.id
                ));
            } else {
                let removed = rollback(docker, project, &run_id).await;
                let note = if removed.is_empty() {
                    String::new()
                } else {
                    format!("\nremoved what this start created: {}", removed.join(", "))
                };
                let what = if matches!(e, EngineError::Interrupted) {
                    "interrupted".to_string()
                } else {
                    format!("{} {e}", err_style.red("error:"))
                };
                output::err(&format!("{what}{note}\n"));
            }
            code
        }
    }
}
