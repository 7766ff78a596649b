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
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let course = context::course(global)?;
    let rows: Vec<Row> = course
        .labs
        .iter()
        .map(|l| Row {
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
                r.points.to_string(),
            ]
        })
        .collect();
    output::out(&format!("{}\n\n", style.bold(&course.title)));
    output::out(&table::render(
        &["#", "LAB", "TITLE", "TASKS", "CHECKS", "POINTS"],
        &cells,
        style,
    ));
    Ok(exit::OK)
}
