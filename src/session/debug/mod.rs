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
use crate::text::Keep;

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
/// lab service (its project, its dependencies).
pub struct Target {
    pub id: String,
    pub project: Option<String>,
    pub depends_on: Vec<String>,
}

/// What `name` means: a service of `lab` running in its project (with what it depends
/// on), else a container of that name (`<project>-<name>` too); `None` when neither is.
pub async fn find_target(
    engine: &Engine,
    lab: Option<(&crate::model::Lab, &str)>,
    name: &str,
) -> Result<Option<Target>, EngineError> {
    if let Some((lab, project)) = lab
        && let Some(f) = crate::engine::find::service(engine, project, name).await?
    {
        let depends_on = lab
            .stack
            .as_ref()
            .and_then(|s| s.services.iter().find(|s| s.name == name))
            .map(|s| s.depends_on.iter().map(|d| d.service.clone()).collect())
            .unwrap_or_default();
        return Ok(Some(Target {
            id: f.id,
            project: Some(project.to_string()),
            depends_on,
        }));
    }
    let mut names = vec![name.to_string()];
    if let Some((_, project)) = lab {
        names.push(format!("{project}-{name}"));
    }
    for n in names {
        if let Some(f) = crate::engine::find::container(engine, &n).await? {
            return Ok(Some(Target {
                id: f.id,
                project: lab.map(|(_, p)| p.to_string()),
                depends_on: Vec::new(),
            }));
        }
    }
    Ok(None)
}

/// The last log lines, and the last line on stderr apart. A container whose logs cannot
/// be read (`logging: none`) says so in its logs, and the rest goes on.
async fn read_logs(engine: &Engine, d: &mut Debugged) {
    let req = logs::LogsRequest {
        tail: Some(LOG_LINES),
        ..logs::LogsRequest::default()
    };
    match logs::read(
        engine,
        &d.id,
        &req,
        (64 * 1024, Keep::Tail),
        Duration::from_secs(10),
    )
    .await
    {
        Ok(text) => {
            d.logs = String::from_utf8_lossy(&text.unwrap_or_default())
                .lines()
                .map(|l| strip_ansi_escapes::strip_str(l).trim_end().to_string())
                .collect();
        }
        Err(e) => {
            d.logs = vec![format!("(its logs cannot be read: {e})")];
            return;
        }
    }
    // The engine counts `tail` over both streams: the last stderr line among the last
    // lines of both, looked for far enough back that a chatty stdout does not hide it.
    let req = logs::LogsRequest {
        stdout: false,
        tail: Some(200),
        ..req
    };
    if let Ok(Some(errs)) = logs::read(
        engine,
        &d.id,
        &req,
        (16 * 1024, Keep::Tail),
        Duration::from_secs(10),
    )
    .await
    {
        d.last_error = String::from_utf8_lossy(&errs)
            .lines()
            .map(|l| strip_ansi_escapes::strip_str(l).trim().to_string())
            .rfind(|l| !l.is_empty());
    }
}

/// How many log lines are shown.
const LOG_LINES: u32 = 20;

pub async fn debug(
    engine: &Engine,
    target: &Target,
    cancel: &CancellationToken,
) -> Result<Debugged, EngineError> {
    let inspect = crate::engine::inspect::container(engine, &target.id)
        .await?
        .ok_or_else(|| EngineError::Refused(format!("there is no container {}", target.id)))?;
    let mut d = facts::read(&inspect);
    read_logs(engine, &mut d).await;
    // Who it should reach, from the lab and its networks; then, when it runs on a network
    // of its own, each of them tried from inside.
    d.peers = match reach::peers(engine, &d, &target.depends_on).await {
        Ok(p) => p,
        Err(e) => {
            d.peers_note = Some(format!("its peers could not be listed: {e}"));
            Vec::new()
        }
    };
    let own_network = !(d.network_mode == "none"
        || d.network_mode == "host"
        || d.network_mode.starts_with("container:"));
    if d.state != "running" {
        // Stopped, it has no peers to speak of: only what the lab says it depends on.
        d.peers.retain(|p| p.dependency);
        if !d.peers.is_empty() {
            d.peers_note = Some(format!(
                "not tried from inside: the container is {}",
                d.state
            ));
        }
    } else {
        let run = crate::engine::new_run_id();
        // The helper carries the project of what it looks at, so whatever cleans that
        // project up finds it too.
        let project = d
            .project
            .as_deref()
            .or(target.project.as_deref())
            .unwrap_or("lab-debug")
            .to_string();
        let helper = HelperSpec {
            image: HELPER_IMAGE,
            project: &project,
            run: &run,
        };
        let probe = own_network && !d.peers.is_empty();
        let helper_here = !probe
            || system::has_image(engine, HELPER_IMAGE)
                .await
                .unwrap_or(false);
        let mut peers = d.peers.clone();
        let work = async {
            let usage = system::usage(engine, &d.id);
            let looked = async {
                if probe && helper_here {
                    reach::look(engine, &d, &mut peers, &helper).await
                } else {
                    Ok(())
                }
            };
            tokio::join!(usage, looked)
        };
        let (usage, looked) = tokio::select! {
            r = work => r,
            _ = cancel.cancelled() => {
                // Remove what is there now, then whatever a create in flight still makes.
                let _ = crate::engine::control::remove_helpers(engine, &run).await;
                crate::engine::control::settled(&run).await;
                let _ = crate::engine::control::remove_helpers(engine, &run).await;
                return Err(EngineError::Interrupted);
            }
        };
        d.usage = usage.ok().flatten();
        if !helper_here {
            d.peers_note = Some(format!(
                "not tried from inside: the helper image {HELPER_IMAGE} is not here (`lab images pull` fetches it)"
            ));
        }
        match looked {
            Ok(()) => d.peers = peers,
            Err(e) => d.peers_note = Some(format!("not tried from inside: {e}")),
        }
    }
    d.diagnosis = diagnose::diagnose(&d);
    Ok(d)
}
