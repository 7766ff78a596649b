//! What `lab grade` leaves in its output folder: the gradebook (merged with the one there:
//! a regrade replaces its students' rows), JUnit, and each student's reports.

use std::path::Path;

use super::CliError;
use crate::model::{Course, Lab};
use crate::report::Format;
use crate::report::gradebook::{CheckInfo, GRADEBOOK_VERSION, Gradebook, gradescope};
use crate::session::submission::Graded;
use crate::ui::Style;

pub struct Written {
    pub gradebook: Gradebook,
    pub warnings: Vec<String>,
}

pub fn write(
    out: &Path,
    course: &Course,
    lab: &Lab,
    graded: &[Graded],
) -> Result<Written, CliError> {
    let mut warnings = Vec::new();
    let fresh = Gradebook {
        gradebook_version: GRADEBOOK_VERSION,
        lab: lab.id.clone(),
        course: course.id.clone(),
        graded_at: now(),
        lab_digest: lab.digest.clone(),
        checks: lab
            .checks
            .iter()
            .map(|c| CheckInfo {
                id: c.id.clone(),
                title: c.title.clone(),
                points: c.points,
            })
            .collect(),
        rows: Vec::new(),
    };
    let path = out.join("gradebook.json");
    let mut book = match std::fs::read_to_string(&path) {
        Err(_) => fresh,
        Ok(text) => match Gradebook::from_json(&text) {
            Ok(old) if old.lab == lab.id && old.lab_digest == lab.digest => Gradebook {
                rows: old.rows,
                ..fresh
            },
            other => {
                // Rows graded by other checks (or unreadable) are not mixed with these:
                // the old files are kept beside the new ones.
                let why = match other {
                    Ok(old) if old.lab != lab.id => format!("it is lab {}'s", old.lab),
                    Ok(_) => "the lab's checks changed since".to_string(),
                    Err(e) => format!("it cannot be read: {e}"),
                };
                let stamp = now().replace(':', "-");
                for name in ["gradebook.json", "gradebook.csv", "junit.xml"] {
                    let from = out.join(name);
                    if from.exists() {
                        let to = out.join(format!("{stamp}-{name}"));
                        std::fs::rename(&from, &to).map_err(|e| io("keep", &from, e))?;
                    }
                }
                warnings.push(format!(
                    "the gradebook in {} was not merged into ({why}); it was kept with the prefix {stamp}-",
                    out.display()
                ));
                fresh
            }
        },
    };
    book.merge(graded.iter().map(|g| g.row.clone()).collect());
    put(&path, &book.json())?;
    put(&out.join("gradebook.csv"), &book.csv())?;
    put(&out.join("junit.xml"), &book.junit())?;
    for g in graded {
        let dir = out.join("students").join(&g.row.student);
        std::fs::create_dir_all(&dir).map_err(|e| io("create", &dir, e))?;
        let (text, json, results) = match &g.report {
            Some(r) => (
                r.render(Format::Text, true, Style::PLAIN),
                r.render(Format::Json, false, Style::PLAIN),
                gradescope(r),
            ),
            None => not_graded(g),
        };
        put(&dir.join("report.txt"), &text)?;
        put(&dir.join("report.json"), &json)?;
        put(&dir.join("results.json"), &results)?;
    }
    Ok(Written {
        gradebook: book,
        warnings,
    })
}

/// The three reports of a submission that could not be graded: the reason and notes.
fn not_graded(g: &Graded) -> (String, String, String) {
    let why = g.row.error.clone().unwrap_or_default();
    let mut text = format!("{}: could not be graded: {why}\n", g.row.student);
    for n in &g.row.notes {
        text.push_str(&format!("  note: {n}\n"));
    }
    let json = serde_json::json!({
        "student": g.row.student,
        "status": "error",
        "score": 0,
        "max_score": g.row.max_score,
        "error": why,
        "notes": g.row.notes,
    });
    let results = serde_json::json!({
        "score": 0,
        "max_score": g.row.max_score,
        "output": format!("This submission could not be graded: {why}"),
        "tests": [],
    });
    (text, format!("{json:#}\n"), format!("{results:#}\n"))
}

/// Written whole or not at all: a reader never sees half a gradebook.
fn put(path: &Path, text: &str) -> Result<(), CliError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| io("write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("write", path, e))
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CliError {
    CliError::Environment(format!("could not {what} {}: {e}", path.display()))
}

fn now() -> String {
    crate::session::watch::rfc3339(crate::progress::now_ms())
}

/// A step output (`name=value` in `$GITHUB_OUTPUT`); printed when there is no such file.
pub fn github_output(name: &str, value: &str) -> Result<(), CliError> {
    use std::io::Write;
    let Some(path) = std::env::var_os("GITHUB_OUTPUT") else {
        crate::ui::output::out(&format!("{name}={value}\n"));
        return Ok(());
    };
    let path = std::path::PathBuf::from(path);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{name}={value}"))
        .map_err(|e| io("write the step output to", &path, e))
}
