//! `lab progress`: where the student stands, per lab, from the progress store; `export`,
//! `import` to move it between machines, `reset` to forget it.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::progress::transfer::{self, Export};
use crate::progress::{Store, summary::Status};
use crate::session::record;
use crate::session::standing::{duration_words, local_time, standing};
use crate::ui::{Style, output, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Write the course's progress to FILE (JSON), to take it to another machine.
    Export { file: PathBuf },
    /// Merge progress from FILE (written by `export`); what is already here is kept once.
    Import { file: PathBuf },
    /// Forget the progress of one lab, or of the whole course; asks first.
    Reset {
        /// The lab (default: every lab of the course).
        id: Option<String>,
        /// Do not ask.
        #[arg(long, short)]
        yes: bool,
    },
}

fn store() -> Result<Store, CliError> {
    record::open().map_err(|why| CliError::Environment(format!("the progress store: {why}")))
}

pub fn run(global: &Global, args: Args) -> CliResult {
    let course = context::course(global)?;
    match args.action {
        None => show(global, &course, args.json),
        Some(Action::Export { file }) => {
            let data = transfer::export(&store()?, &course.id).map_err(store_err)?;
            let text = serde_json::to_string_pretty(&data)
                .map_err(|e| CliError::Environment(format!("could not write JSON: {e}")))?;
            write_atomically(&file, &text)?;
            output::err(&format!(
                "wrote {} attempts and {} starts of {} to {}\n",
                data.attempts.len(),
                data.starts.len(),
                course.title,
                file.display()
            ));
            Ok(exit::OK)
        }
        Some(Action::Import { file }) => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                CliError::Invalid(format!("could not read {}: {e}", file.display()))
            })?;
            let data: Export = serde_json::from_str(&text).map_err(|e| {
                CliError::Invalid(format!(
                    "{} is not a progress export of lab: {e}",
                    file.display()
                ))
            })?;
            if data.lab_progress_version > transfer::EXPORT_VERSION {
                return Err(CliError::Invalid(format!(
                    "{} was written by a newer lab (export version {}); update lab",
                    file.display(),
                    data.lab_progress_version
                )));
            }
            if data.course != course.id {
                return Err(CliError::Invalid(format!(
                    "{} holds progress of the course \"{}\", not of this one (\"{}\")",
                    file.display(),
                    data.course,
                    course.id
                )));
            }
            let n = transfer::import(&store()?, &data).map_err(store_err)?;
            output::err(&format!(
                "imported {} attempts and {} starts ({} already here)\n",
                n.attempts, n.starts, n.already_there
            ));
            Ok(exit::OK)
        }
        Some(Action::Reset { id, yes }) => {
            if let Some(id) = &id {
                context::lab(&course, id)?;
            }
            let store = store()?;
            let (attempts, starts) = store.count(&course.id, id.as_deref()).map_err(store_err)?;
            let what = match &id {
                Some(id) => format!("the progress of {id}"),
                None => format!("the progress of every lab of {}", course.title),
            };
            if attempts + starts == 0 {
                output::err(&format!("nothing to forget: {what} is empty\n"));
                return Ok(exit::OK);
            }
            if !yes
                && !confirm(&format!(
                    "forget {what} ({attempts} attempts, {starts} starts)? [y/N] "
                ))?
            {
                output::err("nothing was deleted\n");
                return Ok(exit::OK);
            }
            let n = store.delete(&course.id, id.as_deref()).map_err(store_err)?;
            output::err(&format!("forgot {what}: {n} attempts\n"));
            Ok(exit::OK)
        }
    }
}

fn store_err(e: crate::progress::StoreError) -> CliError {
    CliError::Environment(e.to_string())
}

/// Ask on the terminal; without one, say how to answer.
fn confirm(question: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Invalid(
            "not deleting without asking, and there is no terminal to ask on: add --yes".into(),
        ));
    }
    output::err(question);
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::Environment(format!("could not read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// Write beside the target, then rename: a file cut off midway is never left in its place.
fn write_atomically(path: &std::path::Path, text: &str) -> Result<(), CliError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let io = |e: std::io::Error| {
        CliError::Environment(format!("could not write {}: {e}", path.display()))
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    use std::io::Write;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

fn show(global: &Global, course: &crate::model::Course, json: bool) -> CliResult {
    let store = store()?;
    let (labs, totals) = standing(&store, course).map_err(store_err)?;
    if json {
        let doc = serde_json::json!({
            "version": 1,
            "course": course.id,
            "title": course.title,
            "labs": labs,
            "totals": totals,
        });
        output::out(&format!("{doc:#}\n"));
        return Ok(exit::OK);
    }
    let style = Style::detect(global.color, false);
    let rows: Vec<Vec<String>> = labs
        .iter()
        .map(|l| {
            let status = match l.status {
                Status::Done => style.green("done"),
                Status::InProgress => style.yellow("in progress"),
                Status::NotStarted => style.dim("not started"),
            };
            let changed = if l.changed_since { " *" } else { "" };
            vec![
                l.lab.clone(),
                status,
                format!("{}/{}{changed}", l.best_score, l.max_score),
                l.attempts.to_string(),
                if l.time_spent_ms > 0 {
                    duration_words(l.time_spent_ms)
                } else {
                    "-".into()
                },
                l.last_attempt_ms
                    .map(local_time)
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut text = format!("{}\n\n", style.bold(&course.title));
    text.push_str(&table::render(
        &["LAB", "STATUS", "BEST", "ATTEMPTS", "TIME", "LAST ATTEMPT"],
        &rows,
        style,
    ));
    if labs.iter().any(|l| l.changed_since) {
        text.push_str(&style.dim(
            "* some attempts graded an earlier version of the lab's checks; the best score counts only the current version\n",
        ));
    }
    text.push_str(&format!(
        "\n{} of {} labs done, {}/{} points, {} attempts, {} spent; streak: {}\n",
        totals.labs_done,
        totals.labs,
        totals.score,
        totals.max_score,
        totals.attempts,
        duration_words(totals.time_spent_ms),
        match totals.streak_days {
            0 => "none".to_string(),
            1 => "1 day".to_string(),
            n => format!("{n} days"),
        }
    ));
    output::out(&text);
    Ok(exit::OK)
}
