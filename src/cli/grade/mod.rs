//! `lab grade ID --submissions DIR | --submission DIR`: grade students' work away from their
//! machines, into a gradebook (PRODUCT.md "Grading submissions").

mod files;

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::model::Dur;
use crate::session::batch::{BatchError, Submission, grade_all};
use crate::session::submission::{Graded, SubmissionOptions};
use crate::ui::{Style, live::Live, output};

/// What `lab grade` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GradeFormat {
    /// A table of the rows.
    Text,
    /// The gradebook (as gradebook.json).
    Json,
    /// GitHub Actions (with --submission): the Points notice, the job summary, and the
    /// `result` output GitHub Classroom's reporter reads.
    Github,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["submissions", "submission"])))]
pub struct Args {
    /// The lab the submissions are for.
    id: String,
    /// A folder with one folder per student (the folder's name is the student's id).
    #[arg(long, value_name = "DIR")]
    submissions: Option<PathBuf>,
    /// One submission (e.g. `.` in CI).
    #[arg(long, value_name = "DIR")]
    submission: Option<PathBuf>,
    /// The student's id for --submission (default: the folder's name).
    #[arg(long, value_name = "ID", requires = "submission")]
    student: Option<String>,
    /// Where the gradebook and the students' reports go (default: grades/ID).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run the submissions' `run` scripts: students' code, on this machine.
    #[arg(long)]
    trust_submissions: bool,
    /// The longest one submission may take (start, stack, script, checks; the clean-up
    /// after always runs); default: the lab's `submission.timeout`, else 10m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Dur>,
    /// An engine to grade on (repeatable): unix:///path, tcp://host:port, or a docker
    /// context's name; submissions are spread over them. Default: DOCKER_HOST.
    #[arg(long = "engine", value_name = "URL")]
    engines: Vec<String>,
    /// What to print.
    #[arg(long, value_enum, default_value_t = GradeFormat::Text)]
    format: GradeFormat,
}

fn parse_duration(s: &str) -> Result<Dur, String> {
    let d = Dur::parse(s)?;
    if d.0.is_zero() {
        return Err("the time limit must be more than 0".into());
    }
    Ok(d)
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let course = context::course(global)?;
    let lab = context::lab(&course, &args.id)?;
    if args.format == GradeFormat::Github && args.submission.is_none() {
        return Err(CliError::Invalid(
            "--format github grades one submission (--submission DIR), as a CI job does".into(),
        ));
    }
    let submissions = match (&args.submissions, &args.submission) {
        (Some(dir), _) => {
            let (class, warnings) = class(dir)?;
            for w in warnings {
                output::err(&format!("warning: {w}\n"));
            }
            class
        }
        (None, Some(dir)) => vec![one(dir, args.student.as_deref())?],
        (None, None) => unreachable_group()?,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("grades").join(&lab.id));
    // Nothing is graded when the results could not be kept.
    std::fs::create_dir_all(&out).map_err(|e| {
        CliError::Environment(format!(
            "cannot create the output folder {}: {e}",
            out.display()
        ))
    })?;

    let mut engines = Vec::new();
    if args.engines.is_empty() {
        engines.push(context::engine().await?);
    }
    for name in &args.engines {
        let e = crate::engine::connect_to(name).await?;
        if engines
            .iter()
            .any(|x: &crate::engine::Engine| x.host() == e.host())
        {
            return Err(CliError::Invalid(format!(
                "--engine {name} is given twice ({})",
                e.host()
            )));
        }
        engines.push(e);
    }
    let opts = SubmissionOptions {
        trust: args.trust_submissions,
        timeout: args.timeout.map(|d| d.0),
        allow_unsafe: global.allow_unsafe,
    };
    let err_style = Style::detect(global.color, true);
    let live = Live::new(err_style.color && args.format == GradeFormat::Text);
    let result = grade_all(
        &engines,
        &course,
        lab,
        submissions,
        &opts,
        &live.events(),
        cancel,
    )
    .await;
    live.finish();
    let graded = match result {
        Ok(g) => g,
        Err(BatchError::Engine(why)) => return Err(CliError::Environment(why)),
        Err(BatchError::Interrupted { graded }) => {
            // What was graded before Ctrl-C is kept.
            if !graded.is_empty() {
                files::write(&out, &course, lab, &graded)?;
            }
            return Err(CliError::Interrupted(Some(format!(
                "{} graded submissions written to {}; what the others made was removed",
                graded.len(),
                out.display()
            ))));
        }
    };
    let written = files::write(&out, &course, lab, &graded)?;
    for w in &written.warnings {
        output::err(&format!("warning: {w}\n"));
    }
    match args.format {
        GradeFormat::Text => output::out(&table(&graded, &out, Style::detect(global.color, false))),
        GradeFormat::Json => output::out(&written.gradebook.json()),
        GradeFormat::Github => {
            if let Some(g) = graded.first() {
                github(g, lab)?;
            }
        }
    }
    Ok(if graded.iter().any(|g| g.broken_lab) {
        exit::ENVIRONMENT
    } else {
        exit::OK
    })
}

fn unreachable_group() -> Result<Vec<Submission>, CliError> {
    Err(CliError::Invalid(
        "say what to grade: --submissions DIR or --submission DIR".into(),
    ))
}

/// Every folder in `dir` is a student's submission; hidden ones are not. A link to a folder
/// counts (a class assembled with `ln -s`); links inside a submission are not followed
/// (copy_files). With the submissions, warnings for the instructor.
fn class(dir: &Path) -> Result<(Vec<Submission>, Vec<String>), CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CliError::Invalid(format!(
            "cannot read the submissions folder {}: {e}",
            dir.display()
        ))
    })?;
    let mut warnings = Vec::new();
    let mut out: Vec<Submission> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = e.path();
        let link = e.file_type().is_ok_and(|t| t.is_symlink());
        // `Path::is_dir` follows the link; a file beside the folders is not a student.
        if !path.is_dir() {
            if link {
                warnings.push(format!(
                    "{} is a link to no folder: it is not graded",
                    path.display()
                ));
            }
            continue;
        }
        // A student is never left out for the name's bytes: the id is text (the CSV, the
        // reports' folder), so the name is made text, and the instructor told which.
        let student = match name.to_str() {
            Some(s) => s.to_string(),
            None => {
                let lossy = name.to_string_lossy().into_owned();
                warnings.push(format!(
                    "the folder {} has a name that is not UTF-8: it is graded as the student {lossy:?}",
                    path.display()
                ));
                lossy
            }
        };
        out.push(Submission { student, dir: path });
    }
    if out.is_empty() {
        return Err(CliError::Invalid(format!(
            "{} holds no submissions: it should hold one folder per student",
            dir.display()
        )));
    }
    out.sort_by(|a, b| a.student.cmp(&b.student));
    // Only names made text can meet; one student's reports would overwrite the other's.
    if let Some(w) = out.windows(2).find(|w| w[0].student == w[1].student) {
        return Err(CliError::Invalid(format!(
            "{} and {} would both be the student {:?}: rename one",
            w[0].dir.display(),
            w[1].dir.display(),
            w[0].student
        )));
    }
    Ok((out, warnings))
}

fn one(dir: &Path, student: Option<&str>) -> Result<Submission, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Invalid(format!(
            "the submission {} is not a folder",
            dir.display()
        )));
    }
    let student = match student {
        Some(s) => s.to_string(),
        // The folder's name as given, as a class names it (a link to a student's repository
        // is named for the student, not for where it leads), made a safe folder name of the
        // reports; where it leads only for `.` and `..`, which name no folder.
        None => {
            let name = std::path::absolute(dir)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .or_else(|| {
                    std::fs::canonicalize(dir)
                        .ok()
                        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                })
                .unwrap_or_default();
            let name = name.trim_start_matches('.');
            if name.is_empty() { "submission" } else { name }.to_string()
        }
    };
    if student.is_empty()
        || student.starts_with('.')
        || student.contains(['/', '\\'])
        || student.chars().any(char::is_control)
    {
        return Err(CliError::Invalid(format!(
            "--student {student:?}: a student's id names a folder of the reports; no slashes, no leading dot"
        )));
    }
    Ok(Submission {
        student,
        dir: dir.to_path_buf(),
    })
}

/// One line per student, then where the files are.
fn table(graded: &[Graded], out: &Path, style: Style) -> String {
    let rows: Vec<Vec<String>> = graded
        .iter()
        .map(|g| {
            let r = &g.row;
            vec![
                r.student.clone(),
                r.status.clone(),
                format!("{}/{}", r.score, r.max_score),
                format!("{:.1}s", r.duration_s),
                r.error
                    .clone()
                    .or_else(|| r.notes.first().cloned())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut text = crate::ui::table::render(
        &["STUDENT", "STATUS", "SCORE", "TIME", "NOTE"],
        &rows,
        style,
    );
    let errors = graded.iter().filter(|g| g.row.status == "error").count();
    text.push_str(&format!(
        "\n{} graded, {errors} could not be: gradebook in {}\n",
        graded.len() - errors,
        out.display()
    ));
    text
}

/// CI: the notice and summary `lab check --format github` gives, and the `result` output.
fn github(g: &Graded, lab: &crate::model::Lab) -> Result<(), CliError> {
    let result = match &g.report {
        Some(report) => {
            let (text, warning) = crate::report::github::emit(report);
            output::out(&text);
            if let Some(w) = warning {
                output::err(&format!("warning: {w}\n"));
            }
            crate::report::gradebook::classroom_result(report, &lab.id)
        }
        None => {
            let why = g.row.error.clone().unwrap_or_default();
            output::out(&format!(
                "::error title={}: could not be graded::{}\n::notice title=Autograding complete::Points 0/{}\n",
                lab.id,
                why.replace('%', "%25")
                    .replace('\r', "%0D")
                    .replace('\n', "%0A"),
                g.row.max_score
            ));
            crate::report::gradebook::classroom_error(&why, g.row.max_score)
        }
    };
    files::github_output("result", &result)
}

#[cfg(all(test, unix))]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    use super::*;

    fn students(class: &[Submission]) -> Vec<&str> {
        class.iter().map(|s| s.student.as_str()).collect()
    }

    /// A class assembled with `ln -s`, and a folder whose name is not UTF-8, are graded.
    #[test]
    fn linked_and_non_utf8_folders_are_students() {
        let root = tempfile::tempdir().expect("tempdir");
        let (subs, repos) = (root.path().join("submissions"), root.path().join("repos"));
        for d in [
            subs.join("ada"),
            subs.join(".git"),
            subs.join(OsStr::from_bytes(b"caf\xe9")),
            repos.join("week2-alice"),
        ] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(subs.join("notes.txt"), "").expect("write");
        let link = |to: &str, name: &str| {
            std::os::unix::fs::symlink(to, subs.join(name)).expect("symlink")
        };
        link("../repos/week2-alice", "alice");
        link("../repos/nobody", "ghost");
        let (class, warnings) = class(&subs).expect("class");
        assert_eq!(students(&class), ["ada", "alice", "caf\u{FFFD}"]);
        assert_eq!(class[1].dir, subs.join("alice"));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("ghost") || warnings[1].contains("ghost"));
    }

    /// Two names that become the same text would share one student's reports.
    #[test]
    fn names_that_meet_as_text_are_refused() {
        let subs = tempfile::tempdir().expect("tempdir");
        for name in [&b"a\xff"[..], b"a\xfe"] {
            std::fs::create_dir(subs.path().join(OsStr::from_bytes(name))).expect("mkdir");
        }
        let err = class(subs.path()).expect_err("refused");
        assert!(err.to_string().contains("rename one"), "{err}");
    }

    /// One submission is named as a class names it: a link for the student is the
    /// student's, so a regrade of one replaces the class's row (it made a second row, named
    /// for where the link leads).
    #[test]
    fn a_submission_is_named_as_given() {
        let d = tempfile::tempdir().expect("tempdir");
        let repo = d.path().join("repos/week2-ada");
        std::fs::create_dir_all(&repo).expect("mkdir");
        std::fs::create_dir_all(d.path().join("subs")).expect("mkdir");
        let link = d.path().join("subs/ada");
        std::os::unix::fs::symlink(&repo, &link).expect("link");
        let named = |p: &Path| one(p, None).map(|s| s.student).unwrap_or_default();
        assert_eq!(named(&link), "ada");
        let (class, _) = class(&d.path().join("subs")).expect("class");
        assert_eq!(class[0].student, "ada");
        // `.` and `..` name where they are.
        assert_eq!(named(&repo.join(".")), "week2-ada");
        std::fs::create_dir_all(repo.join("x")).expect("mkdir");
        assert_eq!(named(&repo.join("x/..")), "week2-ada");
    }
}
