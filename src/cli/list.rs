//! `lab list`: the labs in course order.

use serde::Serialize;

use super::{Global, context};
use crate::exit;
use crate::ui::{Style, output, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    tasks: usize,
    checks: usize,
    points: u32,
    requires: &'a [String],
    /// From the progress store (absent when it cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    best_score: Option<u32>,
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let course = context::course(global)?;
    // Where the student stands, when the store can say; the list is shown either way.
    let standing = crate::session::record::open()
        .ok()
        .and_then(|s| crate::session::standing::standing(&s, &course).ok())
        .map(|(labs, _)| labs);
    let of = |id: &str| standing.as_ref()?.iter().find(|p| p.lab == id);
    let rows: Vec<Row> = course
        .labs
        .iter()
        .map(|l| Row {
            status: of(&l.id).map(|p| match p.status {
                crate::progress::summary::Status::Done => "done",
                crate::progress::summary::Status::InProgress => "in progress",
                crate::progress::summary::Status::NotStarted => "not started",
            }),
            best_score: of(&l.id).map(|p| p.best_score),
            id: &l.id,
            title: &l.title,
            tasks: l.tasks.len(),
            checks: l.checks.len(),
            points: l.max_points(),
            requires: &l.requires,
        })
        .collect();
    if args.json {
        let doc = serde_json::json!({ "version": 1, "course": course.title, "labs": rows });
        output::out(&format!("{doc:#}\n"));
        return Ok(exit::OK);
    }
    let style = Style::detect(global.color, false);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.id.to_string(),
                r.title.to_string(),
                r.tasks.to_string(),
                r.checks.to_string(),
                match (r.status, r.best_score) {
                    (Some("done"), Some(b)) => style.green(&format!("done {b}/{}", r.points)),
                    (Some("in progress"), Some(b)) => style.yellow(&format!("{b}/{}", r.points)),
                    _ => style.dim(&format!("-/{}", r.points)),
                },
            ]
        })
        .collect();
    output::out(&format!("{}\n\n", style.bold(&course.title)));
    output::out(&table::render(
        &["#", "LAB", "TITLE", "TASKS", "CHECKS", "SCORE"],
        &cells,
        style,
    ));
    Ok(exit::OK)
}
