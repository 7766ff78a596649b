//! `lab verify`: prove a lab is gradable. Start it fresh → every check with points fails
//! (unless `starts_passing`) → run the reference solution → every check passes → stop →
//! nothing labelled remains.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bollard::Docker;
use serde::Serialize;

use crate::checks::{CheckResult, RunContext, Status, run_checks};
use crate::engine::{ApplyOptions, apply, new_run_id, plan, rollback, stop_project};
use crate::model::{Course, Lab};

/// How long a reference solution may take.
pub const SOLVE_TIMEOUT: Duration = Duration::from_secs(300);

/// One lab's verification.
#[derive(Debug, Clone, Serialize)]
pub struct LabVerdict {
    pub lab: String,
    /// Each violation, as a sentence.
    pub problems: Vec<String>,
    pub fresh_ok: bool,
    pub solved_ok: bool,
    pub clean_ok: bool,
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

/// Whether a lab may verify beside others: no fixed host ports, no fixed container names.
pub fn isolated(lab: &Lab) -> bool {
    lab.stack.as_ref().is_none_or(|s| {
        s.services.iter().all(|svc| {
            svc.container_name.is_none() && svc.ports.iter().all(|p| p.host_port.is_none())
        })
    })
}

/// Verify one lab in project `project`.
pub async fn verify_lab(docker: &Docker, course: &Course, lab: &Lab, project: &str) -> LabVerdict {
    let start = Instant::now();
    let mut v = LabVerdict {
        lab: lab.id.clone(),
        problems: Vec::new(),
        fresh_ok: false,
        solved_ok: false,
        clean_ok: false,
        duration: Duration::ZERO,
    };
    if !already_empty(docker, project).await {
        v.problems.push(format!("project {project} already has containers on the engine; stop it first (`lab stop {} --project {project}`)", lab.id));
        v.duration = start.elapsed();
        return v;
    }
    run_phases(docker, course, lab, project, &mut v).await;
    // Whatever happened, stop, and check nothing labelled remains.
    let t = stop_project(docker, project, true).await;
    for e in t.errors {
        v.problems.push(format!("stop: {e}"));
    }
    v.clean_ok = already_empty(docker, project).await;
    if !v.clean_ok {
        v.problems.push(format!(
            "resources labelled io.lab.project={project} remain after stop"
        ));
    }
    v.duration = start.elapsed();
    v
}

async fn run_phases(
    docker: &Docker,
    course: &Course,
    lab: &Lab,
    project: &str,
    v: &mut LabVerdict,
) {
    let plan = match plan(lab, &course.id, project) {
        Ok(p) => p,
        Err(e) => {
            v.problems.push(format!("start: {e}"));
            return;
        }
    };
    let run_id = new_run_id();
    if let Err(e) = apply(docker, &plan, &ApplyOptions::default(), &run_id).await {
        rollback(docker, project, &run_id).await;
        v.problems.push(format!("start: {e}"));
        return;
    }
    let fresh_ws = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            v.problems.push(format!("cannot make a workspace: {e}"));
            return;
        }
    };
    let fresh = grade(docker, lab, project, fresh_ws.path()).await;
    v.fresh_ok = true;
    for (c, r) in lab.checks.iter().zip(&fresh) {
        if c.points > 0 && !c.starts_passing && r.status == Status::Pass {
            v.fresh_ok = false;
            v.problems.push(format!("check {} already passes on the fresh lab (mark it starts_passing: true, or make the task need doing)", c.id));
        }
    }
    let solve = course.root.join("solutions").join(&lab.id).join("solve.sh");
    if !solve.is_file() {
        v.problems.push(format!(
            "there is no reference solution: {} is missing",
            rel(&course.root, &solve)
        ));
        return;
    }
    let ws = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            v.problems.push(format!("cannot make a workspace: {e}"));
            return;
        }
    };
    match run_solution(&solve, lab, project, &course.root, ws.path()).await {
        Ok(()) => {}
        Err(e) => {
            v.problems.push(format!("the solution failed: {e}"));
            return;
        }
    }
    let solved = grade(docker, lab, project, ws.path()).await;
    v.solved_ok = true;
    for r in &solved {
        if r.status != Status::Pass {
            v.solved_ok = false;
            v.problems.push(format!(
                "check {} does not pass after the solution: {}",
                r.id, r.message
            ));
        }
    }
}

async fn grade(docker: &Docker, lab: &Lab, project: &str, workspace: &Path) -> Vec<CheckResult> {
    let ctx = Arc::new(RunContext {
        docker: Some(docker.clone()),
        project: project.to_string(),
        workspace: workspace.to_path_buf(),
        lab_dir: lab.dir.clone(),
        default_timeout: Duration::from_secs(10),
        helper_image: crate::engine::HELPER_IMAGE.to_string(),
    });
    run_checks(ctx, lab, &lab.checks, 4, &|_| {}).await
}

/// `solve.sh` with cwd = the workspace and LAB_ID, LAB_PROJECT, LAB_COURSE_DIR set.
async fn run_solution(
    solve: &Path,
    lab: &Lab,
    project: &str,
    root: &Path,
    ws: &Path,
) -> Result<(), String> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg(solve)
        .current_dir(ws)
        .env("LAB_ID", &lab.id)
        .env("LAB_PROJECT", project)
        .env("LAB_COURSE_DIR", root)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = match tokio::time::timeout(SOLVE_TIMEOUT, cmd.output()).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return Err(format!("could not run {}: {e}", solve.display())),
        Err(_) => {
            return Err(format!(
                "it did not finish within {}s",
                SOLVE_TIMEOUT.as_secs()
            ));
        }
    };
    if out.status.success() {
        return Ok(());
    }
    let tail = |b: &[u8]| -> String {
        let t = crate::checks::outcome::printable(b);
        let lines: Vec<&str> = t.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    };
    Err(format!(
        "exit {}\n{}{}",
        out.status.code().unwrap_or(-1),
        tail(&out.stdout),
        tail(&out.stderr)
    ))
}

async fn already_empty(docker: &Docker, project: &str) -> bool {
    let status = crate::engine::status(docker, project)
        .await
        .map(|s| s.is_empty())
        .unwrap_or(false);
    status && crate::engine::teardown::count_labelled(docker, project).await == 0
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
