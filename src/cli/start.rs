//! `lab start ID`: provision the lab's stack, then show its intro and tasks.
//! A failed or interrupted start removes everything it created.

use std::io::IsTerminal;

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::engine::Engine;
use crate::exit;
use crate::model::{Course, Lab};
use crate::session::up::{UpError, UpOptions, up};
use crate::ui::{Style, lab_view, live::Live, output};

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

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let course = context::course(global)?;
    let lab = context::lab(&course, &args.id)?;
    let engine = context::engine().await?;
    let project = args.project.clone().unwrap_or_else(|| lab.id.clone());
    requires_note(&course, lab, global);
    provision(
        &engine,
        &course,
        lab,
        &project,
        args.keep_on_failure,
        global,
        cancel,
    )
    .await?;
    // The time spent on a lab starts here; a store that cannot take it is not a failure.
    if let Err(why) = crate::session::record::record_start(&course.id, lab) {
        output::err(&format!("note: this start was not recorded: {why}\n"));
    }
    if !args.quiet {
        output::out(&lab_view::intro(
            lab,
            &project,
            Style::detect(global.color, false),
            crate::ui::terminal::columns(),
        ));
    }
    Ok(exit::OK)
}

/// Say so when a lab this one `requires` is not done yet (it starts anyway).
fn requires_note(course: &Course, lab: &Lab, global: &Global) {
    if lab.requires.is_empty() {
        return;
    }
    let Ok(store) = crate::session::record::open() else {
        return;
    };
    let Ok((labs, _)) = crate::session::standing::standing(&store, course) else {
        return;
    };
    let style = Style::detect(global.color, true);
    for req in &lab.requires {
        if let Some(p) = labs.iter().find(|p| &p.lab == req)
            && p.status != crate::progress::summary::Status::Done
        {
            output::err(&format!(
                "{} {} builds on {req}, which is {} ({}/{}); starting it anyway\n",
                style.yellow("note:"),
                lab.id,
                p.status.words(),
                p.best_score,
                p.max_score
            ));
        }
    }
}

/// Bring the lab up in `project`, saying what happened; a failed or interrupted start has
/// removed what it made (unless `keep_on_failure`).
pub async fn provision(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    keep_on_failure: bool,
    global: &Global,
    cancel: &CancellationToken,
) -> Result<(), CliError> {
    let style = Style::detect(global.color, true);
    let live = Live::new(std::io::stderr().is_terminal());
    let opts = UpOptions {
        keep_on_failure,
        ..UpOptions::default()
    };
    let result = up(
        engine,
        &course.id,
        lab,
        project,
        &opts,
        &live.events(),
        cancel,
    )
    .await;
    live.finish();
    let removed_note = |removed: &[String]| {
        if removed.is_empty() {
            String::new()
        } else {
            format!("removed what this start created: {}", removed.join(", "))
        }
    };
    match result {
        Ok(done) => {
            let a = &done.applied;
            let mut parts = Vec::new();
            for (n, what) in [
                (a.created.len(), "created"),
                (a.recreated.len(), "recreated"),
                (a.started.len(), "started"),
                (a.kept.len(), "already running"),
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
                style.green("started"),
                lab.id,
                project,
                parts.join(", "),
                done.elapsed.as_secs_f64()
            ));
            Ok(())
        }
        Err(UpError::Interrupted { removed }) => {
            let note = removed_note(&removed);
            Err(CliError::Interrupted((!note.is_empty()).then_some(note)))
        }
        Err(e @ UpError::Failed { .. }) => {
            let code = e.exit_code();
            let UpError::Failed {
                error,
                removed,
                kept,
            } = e
            else {
                return Err(CliError::Reported(code));
            };
            let mut msg = format!("{} {error}\n", style.red("error:"));
            if kept {
                msg.push_str(&format!(
                    "kept what this start created (--keep-on-failure); `lab stop {}` removes it\n",
                    lab.id
                ));
            } else if !removed.is_empty() {
                msg.push_str(&removed_note(&removed));
                msg.push('\n');
            }
            output::err(&msg);
            Err(CliError::Reported(code))
        }
    }
}
