//! GitHub Actions: a Markdown job summary, an error annotation per failed check, and the
//! score as GitHub Classroom reads it (a "Points X/Y" notice and {totalPoints, maxPoints}).

use super::Report;
use crate::checks::Status;

pub struct GithubOutput {
    /// Workflow commands, for the job's log.
    pub annotations: String,
    /// Markdown, for `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
}

pub fn render(r: &Report) -> GithubOutput {
    let mut annotations = String::new();
    // Blocked checks are not annotated: the check that blocks them is.
    for c in r
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
    {
        let mut msg = c.message.clone();
        if let Some(h) = &c.hint {
            msg.push_str(&format!(" — hint: {h}"));
        }
        annotations.push_str(&format!(
            "::error title={}::{}\n",
            escape_property(&format!("{}: {}", r.lab, c.title)),
            escape_data(&msg)
        ));
    }
    annotations.push_str(&format!(
        "::notice title=Autograding complete::Points {}/{}\n",
        r.score, r.max_score
    ));
    annotations.push_str(&format!(
        "::notice title=Autograding report::{}\n",
        escape_data(
            &serde_json::json!({ "totalPoints": r.score, "maxPoints": r.max_score }).to_string()
        )
    ));

    let mut summary = format!(
        "## {} — {}\n\n**Points {}/{}**\n\n",
        r.lab, r.title, r.score, r.max_score
    );
    summary.push_str("| | Check | Task | Points | |\n| --- | --- | --- | --- | --- |\n");
    for c in &r.checks {
        let mark = match c.status {
            Status::Pass => "✅",
            Status::Fail => "❌",
            Status::Blocked => "⏸️",
            Status::Error => "⚠️",
        };
        let task = c
            .task
            .and_then(|t| r.tasks.get(t))
            .map(|t| t.title.as_str())
            .unwrap_or("");
        let detail = if c.status == Status::Pass {
            String::new()
        } else {
            c.message.clone()
        };
        summary.push_str(&format!(
            "| {mark} | {} | {} | {}/{} | {} |\n",
            cell(&c.title),
            cell(task),
            c.points,
            c.max_points,
            cell(&detail)
        ));
    }
    GithubOutput {
        annotations,
        summary,
    }
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties also escape `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// What to print for `--format github`: the annotations, with the job summary appended to
/// `$GITHUB_STEP_SUMMARY` when the job has one (else printed after them). A summary that
/// cannot be written is a warning, not a failure: the score is in the annotations.
pub fn emit(r: &Report) -> (String, Option<String>) {
    let gh = render(r);
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return (format!("{}\n{}", gh.annotations, gh.summary), None);
    };
    use std::io::Write;
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(gh.summary.as_bytes()));
    let warning = appended.err().map(|e| {
        format!(
            "could not write the job summary to {}: {e}",
            std::path::PathBuf::from(path).display()
        )
    });
    (gh.annotations, warning)
}
