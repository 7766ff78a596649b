//! `lab ci github|gitlab ID…`: the workflow that grades students' repositories in CI.

use std::path::PathBuf;

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::report::ci;
use crate::ui::output;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Platform {
    /// GitHub Classroom (.github/workflows/classroom.yml).
    Github,
    /// GitLab CI (.gitlab-ci.yml), with the JUnit report.
    Gitlab,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the workflow runs.
    #[arg(value_enum)]
    platform: Platform,
    /// The labs it grades (one step each).
    #[arg(required = true)]
    ids: Vec<String>,
    /// Where the student's files are in their repository.
    #[arg(long, value_name = "DIR", default_value = ".")]
    submission: String,
    /// Write the workflow to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(global: &Global, args: Args) -> CliResult {
    // It lands unquoted-safe in YAML and in the shell only as a plain relative path.
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/-".contains(c);
    if args.submission.is_empty()
        || !args.submission.chars().all(plain)
        || args.submission.starts_with('/')
    {
        return Err(CliError::Invalid(format!(
            "--submission {:?}: a folder of the student's repository, relative, of letters, digits, . _ / -",
            args.submission
        )));
    }
    let course = context::course(global)?;
    let labs = args
        .ids
        .iter()
        .map(|id| context::lab(&course, id))
        .collect::<Result<Vec<_>, _>>()?;
    // Two labs whose ids GitHub and GitLab would spell alike would share a step.
    let mut ids: Vec<(String, &str)> = labs
        .iter()
        .map(|l| (ci::step_id(&l.id), l.id.as_str()))
        .collect();
    ids.sort();
    if let Some(w) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(CliError::Invalid(format!(
            "the labs {} and {} would both be the step {} in CI: grade them in workflows of their own",
            w[0].1, w[1].1, w[0].0
        )));
    }
    let text = match args.platform {
        Platform::Github => ci::github(&labs, &args.submission),
        Platform::Gitlab => ci::gitlab(&labs, &args.submission),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            CliError::Environment(format!("could not write {}: {e}", path.display()))
        })?,
        None => output::out(&text),
    }
    Ok(exit::OK)
}
