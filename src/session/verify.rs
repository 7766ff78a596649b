//! Proving a lab gradable: start it fresh → every check with points fails (unless
//! `starts_passing`) → run the reference solution → every check passes → stop → nothing
//! labelled remains. Built from `up`, `grade`, `solve` and `down`; interrupted, it stops
//! the lab and removes its workspaces before it returns.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::grade::{GradeError, GradeOptions, grade};
use super::leftovers::{Snapshot, lab_images, remove_new_images};
use super::solve::{Script, SolveError};
use super::up::{UpError, UpOptions, up};
use super::variants::{self, VariantVerdict};
use super::{Event, Events, down, events::VerifyPhase};
use crate::checks::Status;
use crate::engine::Engine;
use crate::model::{Course, Lab};

/// How long a reference solution may take.
pub const SOLVE_TIMEOUT: Duration = Duration::from_secs(300);
/// How much of a solution's output is kept (the end) for the message when it fails.
const SOLVE_OUTPUT_CAP: usize = 16 * 1024;

/// How `lab verify` runs.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Projects are named `<prefix><lab>`.
    pub prefix: String,
    /// How many labs may verify at once (see [`isolated`]).
    pub jobs: usize,
    /// Leave a lab that fails up, with the workspace its solution ran in, for inspection.
    pub keep: bool,
    /// Put each failing check's evidence (output, stderr, exit code) under its problem.
    pub verbose: bool,
    /// The engine address the solution and the variants are given: a guard that keeps a
    /// ledger of what they made (set per lab by [`verify_lab`]); `None`: the engine's own.
    pub(crate) script_engine: Option<String>,
}

/// A failing lab left up by `--keep`: where to look.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub project: String,
    /// The workspace the solution (or variant) ran in, kept too.
    pub workspace: Option<PathBuf>,
    /// Which run was kept: `solution` or `variant NAME`.
    pub run: String,
}

/// One lab's verification.
#[derive(Debug, Clone, Serialize)]
pub struct LabVerdict {
    pub lab: String,
    /// Each violation, as a sentence.
    pub problems: Vec<String>,
    pub fresh_ok: bool,
    pub solved_ok: bool,
    pub clean_ok: bool,
    /// The other ways to do the lab (`solutions/<id>/variants/`), each on a fresh lab.
    pub variants: Vec<VariantVerdict>,
    /// Set when `--keep` left the lab up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<Kept>,
    #[serde(serialize_with = "secs")]
    pub duration: Duration,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 10.0).round() / 10.0)
}

impl LabVerdict {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The run was interrupted (and what it made is gone).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// Why a course could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("interrupted")]
    Interrupted,
    #[error("could not look at the engine: {0}")]
    Engine(#[from] crate::engine::EngineError),
}

impl From<Interrupted> for VerifyError {
    fn from(_: Interrupted) -> Self {
        VerifyError::Interrupted
    }
}

/// Whether a lab may verify beside others: no fixed host ports, no fixed container names.
pub fn isolated(lab: &Lab) -> bool {
    lab.stack.as_ref().is_none_or(|s| {
        s.services.iter().all(|svc| {
            svc.container_name.is_none() && svc.ports.iter().all(|p| p.host_port.is_none())
        })
    })
}

/// The verification of several labs, and what they left on the engine without labels.
#[derive(Debug, Clone, Serialize)]
pub struct CourseVerdict {
    pub labs: Vec<LabVerdict>,
    /// Objects that appeared during the run, are named after a verified project and were
    /// not removed (e.g. a solution's unlabelled `docker run`).
    pub leftovers: Vec<String>,
}

impl CourseVerdict {
    pub fn ok(&self) -> bool {
        self.labs.iter().all(LabVerdict::ok) && self.leftovers.is_empty()
    }
}

/// Verify `labs` of `course`, each in project `<prefix><lab>`: those that can share an
/// engine (see [`isolated`]) `jobs` at a time, the others alone. Each lab's verdict is also
/// an event, as it comes.
pub async fn verify_course(
    engine: &Engine,
    course: &Course,
    labs: &[&Lab],
    opts: &VerifyOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<CourseVerdict, VerifyError> {
    let (prefix, jobs) = (opts.prefix.as_str(), opts.jobs);
    use futures_util::StreamExt;
    let before = crate::engine::teardown::inventory(engine).await?;
    let (together, alone): (Vec<&Lab>, Vec<&Lab>) = labs.iter().partition(|l| isolated(l));
    let mut verdicts = Vec::new();
    let mut interrupted = false;
    let mut stream = futures_util::stream::iter(together.into_iter().map(|l| {
        let project = format!("{prefix}{}", l.id);
        async move { verify_lab(engine, course, l, &project, opts, events, cancel).await }
    }))
    .buffer_unordered(jobs.max(1));
    // Every lab under way finishes its own clean-up before the stream ends.
    while let Some(v) = stream.next().await {
        match v {
            Ok(v) => {
                events.emit(Event::LabVerified { verdict: v.clone() });
                verdicts.push(v);
            }
            Err(Interrupted) => interrupted = true,
        }
    }
    drop(stream);
    for l in alone {
        if interrupted || cancel.is_cancelled() {
            return Err(VerifyError::Interrupted);
        }
        let project = format!("{prefix}{}", l.id);
        let v = verify_lab(engine, course, l, &project, opts, events, cancel).await?;
        events.emit(Event::LabVerified { verdict: v.clone() });
        verdicts.push(v);
    }
    if interrupted {
        return Err(VerifyError::Interrupted);
    }
    verdicts.sort_by_key(|v| labs.iter().position(|l| l.id == v.lab));
    let after = crate::engine::teardown::inventory(engine).await?;
    // What a kept lab still has up is there on purpose.
    let kept: Vec<&str> = verdicts
        .iter()
        .filter_map(|v| v.kept.as_ref().map(|k| k.project.as_str()))
        .collect();
    let mut leftovers: Vec<String> = after
        .iter()
        .filter(|(name, project)| {
            !before.contains_key(*name) && !project.as_deref().is_some_and(|p| kept.contains(&p))
        })
        .filter(|(name, project)| {
            labs.iter().any(|l| {
                belongs(
                    name,
                    project.as_deref(),
                    &format!("{prefix}{}", l.id),
                    &l.id,
                )
            })
        })
        .map(|(name, _)| name.clone())
        .collect();
    // Each leftover is the lab's whose project (or id) it is named after: its row says so.
    for v in &mut verdicts {
        let project = format!("{prefix}{}", v.lab);
        let mine: Vec<String> = after
            .iter()
            .filter(|(name, p)| {
                leftovers.contains(name) && belongs(name, p.as_deref(), &project, &v.lab)
            })
            .map(|(name, _)| name.clone())
            .collect();
        if !mine.is_empty() {
            v.clean_ok = false;
            v.problems.push(format!(
                "left on the engine without the lab's labels (label what the solution creates with io.lab.project=$LAB_PROJECT, or remove it): {}",
                mine.join(", ")
            ));
            leftovers.retain(|l| !mine.contains(l));
        }
    }
    Ok(CourseVerdict {
        labs: verdicts,
        leftovers,
    })
}

/// Whether an object (`container week1-hello`) is a lab's: labelled with its project, or,
/// unlabelled, named after the project or the lab (`week1-…`), as solutions name things.
fn belongs(what: &str, label: Option<&str>, project: &str, lab: &str) -> bool {
    match label {
        Some(p) => p == project,
        None => what.split_once(' ').is_some_and(|(_, n)| {
            n.starts_with(&format!("{project}-")) || n.starts_with(&format!("{lab}-"))
        }),
    }
}

/// Verify one lab in project `project`. The images its solution and variants build under
/// the lab's name (`week1-greeter:1.0`) are removed after, as a student's would be.
pub async fn verify_lab(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    opts: &VerifyOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<LabVerdict, Interrupted> {
    let before = Snapshot::take(engine).await;
    // The scripts reach the engine through a guard that refuses nothing: what they built
    // is then known by id, also once its tag has moved on.
    let guard = crate::engine::guard::record(engine).await.ok();
    let opts = VerifyOptions {
        script_engine: guard.as_ref().map(|g| g.host().to_string()),
        ..opts.clone()
    };
    let verdict = verify_lab_once(engine, course, lab, project, &opts, events, cancel).await;
    // A lab kept up for inspection (`--keep`) still runs its images: removing their tags
    // now would leave them without a name once it is stopped.
    if !matches!(&verdict, Ok(v) if v.kept.is_some()) {
        let keep = lab_images(&course.id, lab);
        remove_new_images(engine, lab, project, &before, &keep).await;
    }
    if let Some(g) = guard {
        let built = g.ledger().built;
        drop(g);
        before.remove_built(engine, &built).await;
    }
    verdict
}

/// What a solution's or a variant's script is told: the lab, its project, the course, and
/// the engine to use.
pub(super) fn script_env(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    opts: &VerifyOptions,
) -> Vec<(String, String)> {
    let host = opts.script_engine.as_deref().unwrap_or(engine.host());
    vec![
        ("LAB_ID".into(), lab.id.clone()),
        ("LAB_PROJECT".into(), project.to_string()),
        ("LAB_COURSE_DIR".into(), course.root.display().to_string()),
        ("DOCKER_HOST".into(), host.to_string()),
    ]
}

async fn verify_lab_once(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    opts: &VerifyOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<LabVerdict, Interrupted> {
    let start = Instant::now();
    let mut v = LabVerdict {
        lab: lab.id.clone(),
        problems: Vec::new(),
        fresh_ok: false,
        solved_ok: false,
        clean_ok: false,
        variants: Vec::new(),
        kept: None,
        duration: Duration::ZERO,
    };
    // Said before anything starts: without a solution there is nothing to prove.
    let solve = solution(course, lab);
    if !solve.is_file() {
        v.problems.push(format!(
            "there is no reference solution: {} is missing",
            rel(&course.root, &solve)
        ));
        v.duration = start.elapsed();
        return Ok(v);
    }
    match is_empty(engine, project).await {
        Ok(true) => {}
        Ok(false) => {
            v.problems.push(format!("project {project} already has containers on the engine; stop it first (`lab stop {} --project {project}`)", lab.id));
            v.duration = start.elapsed();
            return Ok(v);
        }
        Err(e) => {
            v.problems.push(e);
            v.duration = start.elapsed();
            return Ok(v);
        }
    }
    let mut workspace = None;
    let phases = run_phases(
        engine,
        course,
        lab,
        project,
        (&mut v, &mut workspace),
        opts,
        events,
        cancel,
    )
    .await;
    if opts.keep && phases.is_ok() && !v.problems.is_empty() {
        v.kept = Some(Kept {
            project: project.to_string(),
            workspace: workspace.map(tempfile::TempDir::keep),
            run: "solution".into(),
        });
        v.duration = start.elapsed();
        return Ok(v);
    }
    // Whatever happened, stop, and check nothing labelled remains.
    events.emit(Event::Verify {
        lab: lab.id.clone(),
        phase: VerifyPhase::Stopping,
    });
    let t = down::down(engine, project, true).await;
    phases?;
    for e in t.errors {
        v.problems.push(format!("stop: {e}"));
    }
    match is_empty(engine, project).await {
        Ok(clean) => v.clean_ok = clean,
        Err(e) => v.problems.push(e),
    }
    if !v.clean_ok {
        v.problems.push(format!(
            "resources labelled io.lab.project={project} remain after stop"
        ));
    }
    // The other ways, right and wrong, each on a fresh lab of its own.
    let (variants, mut bad) = variants::find(course, lab);
    v.problems.append(&mut bad);
    for variant in &variants {
        events.emit(Event::Verify {
            lab: lab.id.clone(),
            phase: VerifyPhase::Variant,
        });
        let (verdict, kept) =
            variants::run(engine, course, lab, project, variant, opts, cancel).await?;
        for p in &verdict.problems {
            v.problems.push(format!("variant {}: {p}", verdict.name));
        }
        v.variants.push(verdict);
        if kept.is_some() {
            // The lab is up with this variant's work: the next variant would need it gone.
            v.kept = kept;
            break;
        }
    }
    v.duration = start.elapsed();
    Ok(v)
}

/// The fresh, solve and solved phases; `kept` gets the solution's workspace (for `--keep`).
#[allow(clippy::too_many_arguments)]
async fn run_phases(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    (v, kept): (&mut LabVerdict, &mut Option<tempfile::TempDir>),
    opts: &VerifyOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<(), Interrupted> {
    let phase = |p| {
        events.emit(Event::Verify {
            lab: lab.id.clone(),
            phase: p,
        })
    };
    phase(VerifyPhase::Starting);
    let quiet = Events::default();
    match up(
        engine,
        &course.id,
        lab,
        project,
        &UpOptions::default(),
        &quiet,
        cancel,
    )
    .await
    {
        Ok(_) => {}
        Err(UpError::Interrupted { .. }) => return Err(Interrupted),
        Err(UpError::Failed { error, .. }) => {
            v.problems.push(format!("start: {error}"));
            return Ok(());
        }
    }
    // Workspaces are temporary folders, removed when dropped: on every path out of here.
    let fresh_ws = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            v.problems.push(format!("cannot make a workspace: {e}"));
            return Ok(());
        }
    };
    phase(VerifyPhase::GradingFresh);
    let Some(fresh) = grade_in(engine, lab, project, fresh_ws.path(), v, cancel).await? else {
        return Ok(());
    };
    v.fresh_ok = true;
    for (c, r) in lab.checks.iter().zip(&fresh) {
        if c.points > 0 && !c.starts_passing && r.status == Status::Pass {
            v.fresh_ok = false;
            v.problems.push(format!("check {} already passes on the fresh lab (mark it starts_passing: true, or make the task need doing)", c.id));
        }
    }
    let solve = solution(course, lab);
    let ws = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            v.problems.push(format!("cannot make a workspace: {e}"));
            return Ok(());
        }
    };
    phase(VerifyPhase::Solving);
    let script = Script {
        shell: "sh".into(),
        path: solve.clone(),
        workspace: ws.path().to_path_buf(),
        env: script_env(engine, course, lab, project, opts),
        timeout: SOLVE_TIMEOUT,
        output_cap: SOLVE_OUTPUT_CAP,
        output_limit: None,
    };
    match super::solve::run(&script, cancel).await {
        Err(SolveError::Interrupted) => return Err(Interrupted),
        Err(e) => {
            v.problems.push(format!("the solution failed: {e}"));
            return Ok(());
        }
        Ok(r) if r.timed_out => {
            v.problems.push(format!(
                "the solution failed: it did not finish within {}s",
                SOLVE_TIMEOUT.as_secs()
            ));
            return Ok(());
        }
        Ok(r) if !r.ok() => {
            let tail = |t: &str| crate::text::last_lines(t, 10);
            v.problems.push(format!(
                "the solution failed: exit {}\n{}{}",
                r.exit.unwrap_or(-1),
                tail(&r.stdout),
                tail(&r.stderr)
            ));
            return Ok(());
        }
        Ok(_) => {}
    }
    phase(VerifyPhase::GradingSolved);
    let graded = grade_in(engine, lab, project, ws.path(), v, cancel).await?;
    *kept = Some(ws);
    let Some(solved) = graded else {
        return Ok(());
    };
    v.solved_ok = true;
    for r in &solved {
        if r.status != Status::Pass {
            v.solved_ok = false;
            v.problems.push(format!(
                "check {} does not pass after the solution: {}{}",
                r.id,
                r.message,
                evidence(r, opts.verbose)
            ));
        }
    }
    Ok(())
}

/// A check's evidence, indented under its problem, when asked for.
pub(super) fn evidence(r: &crate::checks::CheckResult, verbose: bool) -> String {
    if !verbose || r.evidence.trim().is_empty() {
        return String::new();
    }
    let lines: Vec<String> = r
        .evidence
        .trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect();
    format!("\n{}", lines.join("\n"))
}

fn solution(course: &Course, lab: &Lab) -> PathBuf {
    course.root.join("solutions").join(&lab.id).join("solve.sh")
}

/// Every check's result; `None` (with the reason among the problems) when grading could
/// not run.
async fn grade_in(
    engine: &Engine,
    lab: &Lab,
    project: &str,
    workspace: &Path,
    v: &mut LabVerdict,
    cancel: &CancellationToken,
) -> Result<Option<Vec<crate::checks::CheckResult>>, Interrupted> {
    let opts = GradeOptions {
        project: project.to_string(),
        workspace: workspace.to_path_buf(),
        only: Vec::new(),
        jobs: 4,
        host: Default::default(),
    };
    match grade(Some(engine), lab, &opts, &Events::default(), cancel).await {
        Ok(report) => Ok(Some(report.checks)),
        Err(GradeError::Interrupted { .. }) => Err(Interrupted),
        Err(e) => {
            v.problems.push(format!("could not grade: {e}"));
            Ok(None)
        }
    }
}

/// Nothing of the project on the engine; `Err` says why that could not be seen.
async fn is_empty(engine: &Engine, project: &str) -> Result<bool, String> {
    crate::engine::teardown::count_labelled(engine, project)
        .await
        .map(|n| n == 0)
        .map_err(|e| format!("could not look at the engine: {e}"))
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
