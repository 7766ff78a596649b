//! Grading one submission away from the student's machine (LAB_FORMAT §6): the lab started
//! fresh in its own project, the submitted files copied into a scratch workspace, the
//! submitted stack applied under the safety policy, the student's script run (only when
//! trusted), every check, then everything removed. Whatever goes wrong becomes the
//! student's row, with the reason; it never stops a batch.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::Events;
use super::grade::{GradeError, GradeOptions, grade};
use super::leftovers::{Snapshot, lab_images, lab_networks, remove_leftovers};
use super::solve::{Script, SolveError};
use super::up::{UpError, UpOptions, up};
use crate::checks::HostPrograms;
use crate::course::{LoadOptions, parse_stack};
use crate::engine::guard::{self, Ledger};
use crate::engine::teardown::{Also, sweep_project};
use crate::engine::{ApplyOptions, Engine, apply, new_run_id, plan, rollback};
use crate::model::{Course, Lab};
use crate::report::Report;
use crate::report::gradebook::Row;

/// How long a submission may take when neither the lab nor the grader says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// A student's script that prints more than this is stopped (a flood).
pub const OUTPUT_LIMIT: u64 = 10 * 1024 * 1024;
/// Submitted files are copied up to this much in all.
pub const FILES_LIMIT: u64 = 100 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct SubmissionOptions {
    /// Run the submissions' scripts (students' code, on this machine).
    pub trust: bool,
    /// Overrides the lab's `submission.timeout`.
    pub timeout: Option<Duration>,
    /// Lift the safety policy for submitted stacks.
    pub allow_unsafe: bool,
}

/// The row, and the report when the checks ran.
#[derive(Debug, Clone)]
pub struct Graded {
    pub row: Row,
    pub report: Option<Report>,
    /// The lab itself could not start: the grader's environment broke, not the submission.
    pub broken_lab: bool,
}

/// Ctrl-C: the batch stops; what this submission made was removed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// Why a submission could not be graded, for its row.
struct Failed(String);

/// Where a submission's time went (the row's `phases`): each phase from when it is entered
/// to when the next one is, or until it was cut short (a time-out, an error).
#[derive(Default)]
struct Phases {
    done: Vec<(String, f64)>,
    current: Option<(&'static str, Instant)>,
}

impl Phases {
    /// The phase before ends; `name` begins.
    fn enter(&mut self, name: &'static str) {
        self.close();
        self.current = Some((name, Instant::now()));
    }

    /// The running phase ends here, however it ended.
    fn close(&mut self) {
        if let Some((name, t)) = self.current.take() {
            let s = (t.elapsed().as_secs_f64() * 100.0).round() / 100.0;
            self.done.push((name.to_string(), s));
        }
    }
}

/// The lab did not start: not the student's doing.
const LAB_DID_NOT_START: &str = "the lab could not start";

/// Grade the submission in `dir` of `student`.
pub async fn grade_submission(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    student: &str,
    dir: &Path,
    opts: &SubmissionOptions,
    cancel: &CancellationToken,
) -> Result<Graded, Interrupted> {
    let started = Instant::now();
    let limit = opts
        .timeout
        .or(lab.submission.as_ref().and_then(|s| s.timeout.map(|t| t.0)))
        .unwrap_or(DEFAULT_TIMEOUT);
    let before = Snapshot::take(engine).await;
    let keep = lab_images(&course.id, lab);
    let mut notes = Vec::new();
    // The scratch workspace and the guarded engine address outlive the work (a time-out
    // drops it): what the script made is in the guard's ledger.
    let prepared = match tempfile::tempdir() {
        Ok(ws) => match guard::start(engine, ws.path()).await {
            Ok(g) => Ok((ws, g)),
            Err(e) => Err(Failed(format!("could not set up the engine's guard: {e}"))),
        },
        Err(e) => Err(Failed(format!("no scratch workspace: {e}"))),
    };
    // The time limit and the batch's Ctrl-C both stop this submission's work; which one
    // it was decides between an error row and stopping the batch.
    let sub = cancel.child_token();
    let mut ledger = Ledger::default();
    let mut phases = Phases::default();
    let outcome = match &prepared {
        Err(Failed(why)) => Some(Err(Failed(why.clone()))),
        Ok((ws, guard)) => {
            let job = Job {
                engine,
                course,
                lab,
                student,
                dir,
                opts,
                project: lab.id.clone(),
                ws: ws.path(),
                guard: guard.host(),
            };
            tokio::select! {
                r = job.replay(&mut notes, &mut phases, &sub) => Some(r),
                _ = tokio::time::sleep(limit) => None,
            }
        }
    };
    if outcome.is_none() {
        sub.cancel();
    }
    // Read once the work is stopped: what a cut-short script made last is in it too.
    if let Ok((_, guard)) = &prepared {
        ledger = guard.ledger();
    }
    drop(prepared);
    // Whatever happened: the lab and everything the submission made go.
    phases.enter("teardown");
    let also = Also {
        keep_networks: true,
        images: before.new_tags(&ledger.images, &keep),
        ..ledger.made()
    };
    let t = sweep_project(engine, &lab.id, &also).await;
    notes.extend(t.errors.iter().map(|e| format!("could not remove: {e}")));
    notes.extend(before.restore_tags(engine, &ledger.images).await);
    // The lab's networks stay for the next submission (the batch removes them at the end):
    // they are not leftovers, though the first submission made them.
    let networks = lab_networks(&course.id, lab);
    notes.extend(remove_leftovers(engine, lab, &lab.id, &before, &keep, &networks).await);
    // Builds whose tag moved on, untagged commits: by id, as nothing names them.
    before.remove_built(engine, &ledger.built).await;
    phases.close();
    if cancel.is_cancelled() {
        return Err(Interrupted);
    }
    // A script that reached for what submissions may not have is not graded.
    let run = lab
        .submission
        .as_ref()
        .and_then(|s| s.run.clone())
        .unwrap_or_else(|| "the script".into());
    let outcome = match outcome {
        Some(Ok(_)) if !ledger.refused.is_empty() => Some(Err(Failed(format!(
            "{run} asked the engine for what submissions may not have, and was refused: {}",
            ledger.refused.join("; ")
        )))),
        o => o,
    };
    let duration_s = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    let row =
        |status: &str, report: Option<&Report>, error: Option<String>, notes: Vec<String>| Row {
            student: student.to_string(),
            status: status.to_string(),
            score: report.map(|r| r.score).unwrap_or(0),
            max_score: lab.max_points(),
            points: report
                .map(|r| r.checks.iter().map(|c| (c.id.clone(), c.points)).collect())
                .unwrap_or_default(),
            duration_s,
            phases: phases.done.clone(),
            engine: engine.host().to_string(),
            error,
            notes,
            report: report.and_then(|r| serde_json::from_str(&crate::report::json::render(r)).ok()),
        };
    Ok(match outcome {
        None => Graded {
            row: row(
                "error",
                None,
                Some(format!(
                    "it did not finish within {} (start, stack, script, checks)",
                    crate::model::Dur(limit)
                )),
                notes,
            ),
            report: None,
            broken_lab: false,
        },
        Some(Err(Failed(why))) => Graded {
            broken_lab: why.starts_with(LAB_DID_NOT_START),
            row: row("error", None, Some(why), notes),
            report: None,
        },
        Some(Ok(mut report)) => Graded {
            row: {
                report.notes.extend(notes.iter().cloned());
                row("graded", Some(&report), None, notes)
            },
            report: Some(report),
            broken_lab: false,
        },
    })
}

/// One submission's work, with what every step needs.
struct Job<'a> {
    engine: &'a Engine,
    course: &'a Course,
    lab: &'a Lab,
    student: &'a str,
    dir: &'a Path,
    opts: &'a SubmissionOptions,
    project: String,
    ws: &'a Path,
    /// The guarded engine address the script gets.
    guard: &'a str,
}

impl Job<'_> {
    /// Start, copy, apply, run, grade: the report, or why there is none.
    async fn replay(
        &self,
        notes: &mut Vec<String>,
        phases: &mut Phases,
        cancel: &CancellationToken,
    ) -> Result<Report, Failed> {
        let quiet = Events::default();
        phases.enter("start");
        let (engine, lab) = (self.engine, self.lab);
        match up(
            engine,
            &self.course.id,
            lab,
            &self.project,
            // Nobody looks at the lab before the script does: services go on as soon as
            // their health test passes, without waiting for the engine to say so too.
            &UpOptions {
                confirm_health: false,
                ..UpOptions::default()
            },
            &quiet,
            cancel,
        )
        .await
        {
            Ok(_) => {}
            Err(UpError::Interrupted { .. }) => return Err(Failed("interrupted".into())),
            Err(UpError::Failed { error, .. }) => {
                return Err(Failed(format!("{LAB_DID_NOT_START}: {error}")));
            }
        }
        let submission = lab.submission.clone().unwrap_or_default();
        copy_files(self.dir, self.ws, &submission.files).map_err(Failed)?;
        if let Some(stack) = &submission.stack {
            phases.enter("stack");
            self.apply_stack(stack, notes, cancel).await?;
        }
        if let Some(script) = &submission.run {
            phases.enter("script");
            self.run_script(script, notes, cancel).await?;
        }
        phases.enter("checks");
        let g = GradeOptions {
            project: self.project.clone(),
            workspace: self.ws.to_path_buf(),
            only: Vec::new(),
            jobs: 8,
            host: self.host_programs(),
        };
        match grade(Some(engine), lab, &g, &quiet, cancel).await {
            Ok(report) => Ok(report),
            Err(GradeError::Interrupted { .. }) => Err(Failed("interrupted".into())),
            Err(e) => Err(Failed(format!(
                "the lab was broken, it could not be graded: {e}"
            ))),
        }
    }
}

/// Copy what the globs match (everything, without globs) from the submission into the
/// workspace. Symbolic links are not followed (a link to a host file is not the student's
/// work); more than [`FILES_LIMIT`] in all is refused.
pub fn copy_files(from: &Path, to: &Path, globs: &[String]) -> Result<u64, String> {
    let set = if globs.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for g in globs {
            // `app/` names a folder: everything in it.
            let g = if g.ends_with('/') {
                format!("{g}**")
            } else {
                g.clone()
            };
            let glob = globset::GlobBuilder::new(&g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("the lab's pattern \"{g}\" is not valid: {e}"))?;
            b.add(glob);
        }
        Some(
            b.build()
                .map_err(|e| format!("the lab's patterns are not valid: {e}"))?,
        )
    };
    let mut copied = 0u64;
    let mut todo: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let entries = std::fs::read_dir(from.join(&rel)).map_err(|e| {
            format!(
                "cannot read the submission {}: {e}",
                from.join(&rel).display()
            )
        })?;
        for e in entries.flatten() {
            let path = rel.join(e.file_name());
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_symlink() || path.components().any(|c| c.as_os_str() == ".git") {
                continue;
            }
            if kind.is_dir() {
                todo.push(path);
                continue;
            }
            if set.as_ref().is_some_and(|s| !s.is_match(&path)) {
                continue;
            }
            let target = to.join(&path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
            }
            copied += std::fs::copy(e.path(), &target)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
            if copied > FILES_LIMIT {
                return Err(format!(
                    "the submitted files are more than {} MB",
                    FILES_LIMIT / (1024 * 1024)
                ));
            }
        }
    }
    Ok(copied)
}

impl Job<'_> {
    /// Checks that run programs on this machine run the submission's own scripts
    /// (`./automate.sh`): only when trusted, and talking to the engine through the guard.
    fn host_programs(&self) -> HostPrograms {
        HostPrograms {
            env: self.env(),
            refused: (!self.opts.trust).then(|| {
                "this check runs the submission's own program on this machine: only with --trust-submissions".to_string()
            }),
        }
    }

    /// What the submission's programs are given.
    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("LAB_ID".to_string(), self.lab.id.clone()),
            ("LAB_PROJECT".to_string(), self.project.clone()),
            (
                "LAB_COURSE_DIR".to_string(),
                self.course.root.display().to_string(),
            ),
            ("DOCKER_HOST".to_string(), self.guard.to_string()),
        ]
    }

    /// Apply the submitted stack in the lab's project, under the safety policy.
    async fn apply_stack(
        &self,
        file: &str,
        notes: &mut Vec<String>,
        cancel: &CancellationToken,
    ) -> Result<(), Failed> {
        let path = self.ws.join(file);
        // Decoded as every student file is (a BOM, UTF-16 from a Windows editor).
        let text = match std::fs::read(&path) {
            Ok(bytes) => crate::text::file_text(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                notes.push(format!("the submission has no {file}"));
                return Ok(());
            }
            Err(e) => return Err(Failed(format!("{file} could not be read: {e}"))),
        };
        let shown = Path::new(self.student).join(file);
        let load = LoadOptions {
            allow_unsafe: self.opts.allow_unsafe,
        };
        let stack = parse_stack(&text, &shown, self.ws, &load).map_err(|d| {
            Failed(format!(
                "{file} was refused: {}",
                d.0.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })?;
        // The student's services, labelled as the lab's own, in its project.
        let theirs = Lab {
            stack: Some(stack),
            dir: self.ws.to_path_buf(),
            ..self.lab.clone()
        };
        let p = plan(&theirs, &self.course.id, &self.project)
            .map_err(|e| Failed(format!("{file}: {e}")))?;
        let run = new_run_id();
        let apply_opts = ApplyOptions::default();
        let result = tokio::select! {
            r = apply(self.engine, &p, &apply_opts, &run) => r.map(|_| ()),
            _ = cancel.cancelled() => Err(crate::engine::EngineError::Interrupted),
        };
        if let Err(e) = result {
            rollback(self.engine, &self.project, &run).await;
            return Err(Failed(format!("{file} could not be applied: {e}")));
        }
        Ok(())
    }

    /// Run the student's script: only when trusted, bounded in time and output, talking
    /// to the engine through the guard.
    async fn run_script(
        &self,
        file: &str,
        notes: &mut Vec<String>,
        cancel: &CancellationToken,
    ) -> Result<(), Failed> {
        let path = self.ws.join(file);
        if !path.is_file() {
            notes.push(format!("the submission has no {file}"));
            return Ok(());
        }
        if !self.opts.trust {
            notes.push(format!(
                "{file} was not run: students' scripts run only with --trust-submissions"
            ));
            return Ok(());
        }
        if let Some(note) = unix_script(&path, file).map_err(Failed)? {
            notes.push(note);
        }
        let env = self.env();
        let script = Script {
            shell: "bash".into(),
            path,
            workspace: self.ws.to_path_buf(),
            env,
            // The submission's own limit bounds it from outside; this is a backstop.
            timeout: DEFAULT_TIMEOUT,
            output_cap: 16 * 1024,
            output_limit: Some(OUTPUT_LIMIT),
        };
        match super::solve::run(&script, cancel).await {
            Err(SolveError::Interrupted) => Err(Failed("interrupted".into())),
            Err(e) => Err(Failed(e.to_string())),
            Ok(r) if r.flooded => Err(Failed(format!(
                "{file} printed more than {} MB and was stopped",
                OUTPUT_LIMIT / (1024 * 1024)
            ))),
            Ok(r) if r.timed_out => Err(Failed(format!("{file} did not finish"))),
            Ok(r) => {
                if !r.ok() {
                    notes.push(format!(
                        "{file} exited with {}: {}",
                        r.exit
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| "no code".into()),
                        crate::text::last_lines(&r.stderr, 3)
                    ));
                }
                Ok(())
            }
        }
    }
}

/// A script a Windows editor saved (CRLF, a byte order mark, UTF-16) fails in bash on every
/// line: its workspace copy is rewritten as UTF-8 with LF (the student's folder is never
/// touched). The note for the row, when it was.
fn unix_script(path: &Path, file: &str) -> Result<Option<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{file} could not be read: {e}"))?;
    let Some((text, changed)) = crate::text::unix_script(&bytes) else {
        return Ok(None);
    };
    std::fs::write(path, text).map_err(|e| format!("{file} could not be converted: {e}"))?;
    Ok(Some(format!(
        "{file} was saved with {}: a copy converted to UTF-8 with LF line endings was run",
        changed.join(" and ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `set -eu\r` fails in bash: a CRLF script with a BOM runs once converted.
    #[tokio::test]
    async fn a_script_saved_on_windows_runs() {
        let ws = tempfile::tempdir().expect("tempdir");
        let path = ws.path().join("run.sh");
        std::fs::write(&path, b"\xEF\xBB\xBFset -eu\r\necho ok > out.txt\r\n").expect("write");
        let note = unix_script(&path, "run.sh")
            .expect("converted")
            .expect("a note");
        assert!(
            note.contains("byte order mark and Windows line endings"),
            "{note}"
        );
        let script = Script {
            shell: "bash".into(),
            path,
            workspace: ws.path().to_path_buf(),
            env: Vec::new(),
            timeout: Duration::from_secs(30),
            output_cap: 1024,
            output_limit: None,
        };
        let ran = super::super::solve::run(&script, &CancellationToken::new())
            .await
            .expect("run");
        assert!(ran.ok(), "{ran:?}");
        let out = std::fs::read_to_string(ws.path().join("out.txt")).expect("out.txt");
        assert_eq!(out, "ok\n");
        // A script bash can run as it is, is left as it is.
        assert_eq!(unix_script(&ws.path().join("out.txt"), "out.txt"), Ok(None));
    }
}
