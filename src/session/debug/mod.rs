//! `lab debug`: the guide's troubleshooting steps for one container, done and summed up.
//! State and exit, OOM kill, restarts, the last log lines, the health log, the command,
//! mounts, networks, name lookups and connections from inside to its dependencies and
//! peers, one sample of CPU and memory against its limits; then a short diagnosis.
//! Nothing is changed: the only thing made is a probe container, removed at once.

mod diagnose;
mod facts;
mod reach;

use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::engine::control::HelperSpec;
use crate::engine::{Engine, EngineError, HELPER_IMAGE, logs, system};

pub use facts::{Health, HealthRun, Mount, Network};
pub use reach::Peer;

/// Everything found about one container, and what it means.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Debugged {
    pub container: String,
    pub id: String,
    /// The lab service it is, and the lab's project, when it is one.
    pub service: Option<String>,
    pub project: Option<String>,
    pub image: String,
    /// created, running, paused, restarting, exited, dead.
    pub state: String,
    pub exit_code: i64,
    /// The engine's own error, when it could not start the container.
    pub error: String,
    pub oom_killed: bool,
    pub restart_count: i64,
    pub restart_policy: String,
    pub started_at: String,
    pub finished_at: String,
    pub entrypoint: Vec<String>,
    pub command: Vec<String>,
    pub health: Option<Health>,
    pub mounts: Vec<Mount>,
    /// `network_mode` as the engine has it (`none`, `host`, a network, `container:…`).
    pub network_mode: String,
    pub networks: Vec<Network>,
    /// The memory limit set on it, in bytes (`None`: none set).
    pub memory_limit: Option<u64>,
    /// CPUs it may use (`None`: no limit).
    pub cpus: Option<f64>,
    pub usage: Option<system::Usage>,
    /// Its dependencies and the containers it shares a network with, as seen from inside.
    pub peers: Vec<Peer>,
    /// Why peers were not tried from inside, when they were not.
    pub peers_note: Option<String>,
    pub logs: Vec<String>,
    /// The last line it wrote to stderr: what a failing program says last (its stdout
    /// and stderr interleave in `logs` in no reliable order).
    pub last_error: Option<String>,
    /// What is wrong, most important first; one line saying nothing is, when nothing is.
    pub diagnosis: Vec<String>,
}

/// What `lab debug` looks at: a container, and what the lab says about it when it is a
/// lab service (its dependencies).
pub struct Target<'a> {
    pub id: &'a str,
    pub project: Option<&'a str>,
    pub depends_on: Vec<String>,
}

/// How many log lines are shown.
const LOG_LINES: u32 = 20;

pub async fn debug(
    engine: &Engine,
    target: &Target<'_>,
    cancel: &CancellationToken,
) -> Result<Debugged, EngineError> {
    let inspect = crate::engine::inspect::container(engine, target.id)
        .await?
        .ok_or_else(|| EngineError::Refused(format!("there is no container {}", target.id)))?;
    let mut d = facts::read(&inspect);
    let req = logs::LogsRequest {
        tail: Some(LOG_LINES),
        ..logs::LogsRequest::default()
    };
    let text = logs::read(engine, &d.id, &req, 64 * 1024, Duration::from_secs(10))
        .await?
        .unwrap_or_default();
    d.logs = String::from_utf8_lossy(&text)
        .lines()
        .map(|l| strip_ansi_escapes::strip_str(l).trim_end().to_string())
        .collect();
    let req = logs::LogsRequest {
        stdout: false,
        tail: Some(5),
        ..req
    };
    let errs = logs::read(engine, &d.id, &req, 16 * 1024, Duration::from_secs(10))
        .await?
        .unwrap_or_default();
    d.last_error = String::from_utf8_lossy(&errs)
        .lines()
        .map(|l| strip_ansi_escapes::strip_str(l).trim().to_string())
        .rfind(|l| !l.is_empty());
    if d.state == "running" {
        let run = crate::engine::new_run_id();
        // The helper carries the project of what it looks at, so whatever cleans that
        // project up finds it too.
        let project = target
            .project
            .or(d.project.as_deref())
            .unwrap_or("lab-debug")
            .to_string();
        let helper = HelperSpec {
            image: HELPER_IMAGE,
            project: &project,
            run: &run,
        };
        let work = async {
            let usage = system::usage(engine, &d.id);
            let peers = reach::look(engine, &d, &target.depends_on, &helper);
            let (usage, peers) = tokio::join!(usage, peers);
            (usage, peers)
        };
        let (usage, peers) = tokio::select! {
            r = work => r,
            _ = cancel.cancelled() => {
                crate::engine::control::settled(&run).await;
                let _ = crate::engine::control::remove_helpers(engine, &run).await;
                return Err(EngineError::Interrupted);
            }
        };
        d.usage = usage.ok().flatten();
        match peers {
            Ok(p) => d.peers = p,
            Err(e) => d.peers_note = Some(format!("not looked at from inside: {e}")),
        }
    } else {
        d.peers = reach::unprobed(engine, &d, &target.depends_on).await;
        d.peers_note = Some(format!(
            "not looked at from inside: the container is {}",
            d.state
        ));
    }
    d.diagnosis = diagnose::diagnose(&d);
    Ok(d)
}
