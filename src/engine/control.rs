//! Changing a container's state on purpose: stop, start, restart, pause, unpause, connect
//! and disconnect networks, and a crash (a signal to its main process from outside). What
//! `before:` actions do, and what puts their effects back afterwards.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, NetworkConnectRequest,
    NetworkDisconnectRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, RestartContainerOptionsBuilder,
    StartContainerOptions, StopContainerOptionsBuilder, WaitContainerOptionsBuilder,
};
use futures_util::StreamExt;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::find::{Filter, list};
use super::labels;

/// Stop as `docker stop` does. `grace_secs: None` leaves the grace period to the container
/// (its `--stop-timeout`, else the engine's 10 s): what a stop check is about.
pub async fn stop(engine: &Engine, id: &str, grace_secs: Option<i32>) -> Result<(), EngineError> {
    let mut opts = StopContainerOptionsBuilder::default();
    if let Some(t) = grace_secs {
        opts = opts.t(t);
    }
    let opts = opts.build();
    super::events::mark_own_touch(id);
    engine
        .api()
        .stop_container(id, Some(opts))
        .await
        .map_err(EngineError::engine(format!("stopping {id}")))
}

pub async fn start(engine: &Engine, id: &str) -> Result<(), EngineError> {
    super::events::mark_own_touch(id);
    engine
        .api()
        .start_container(id, None::<StartContainerOptions>)
        .await
        .map_err(EngineError::engine(format!("starting {id}")))
}

pub async fn restart(
    engine: &Engine,
    id: &str,
    grace_secs: Option<i32>,
) -> Result<(), EngineError> {
    let mut opts = RestartContainerOptionsBuilder::default();
    if let Some(t) = grace_secs {
        opts = opts.t(t);
    }
    let opts = opts.build();
    super::events::mark_own_touch(id);
    engine
        .api()
        .restart_container(id, Some(opts))
        .await
        .map_err(EngineError::engine(format!("restarting {id}")))
}

pub async fn pause(engine: &Engine, id: &str) -> Result<(), EngineError> {
    super::events::mark_own_touch(id);
    engine
        .api()
        .pause_container(id)
        .await
        .map_err(EngineError::engine(format!("pausing {id}")))
}

pub async fn unpause(engine: &Engine, id: &str) -> Result<(), EngineError> {
    super::events::mark_own_touch(id);
    engine
        .api()
        .unpause_container(id)
        .await
        .map_err(EngineError::engine(format!("unpausing {id}")))
}

pub async fn connect(
    engine: &Engine,
    network: &str,
    id: &str,
    aliases: &[String],
) -> Result<(), EngineError> {
    super::events::mark_own_touch(id);
    let req = NetworkConnectRequest {
        container: id.to_string(),
        endpoint_config: Some(EndpointSettings {
            aliases: (!aliases.is_empty()).then(|| aliases.to_vec()),
            ..Default::default()
        }),
    };
    engine
        .api()
        .connect_network(network, req)
        .await
        .map_err(EngineError::engine(format!("connecting {id} to {network}")))
}

pub async fn disconnect(engine: &Engine, network: &str, id: &str) -> Result<(), EngineError> {
    super::events::mark_own_touch(id);
    let req = NetworkDisconnectRequest {
        container: id.to_string(),
        force: Some(true),
    };
    engine
        .api()
        .disconnect_network(network, req)
        .await
        .map_err(EngineError::engine(format!(
            "disconnecting {id} from {network}"
        )))
}

/// The label that marks `lab`'s own short-lived helper containers, valued with the run that
/// made them, so an interrupted run can remove exactly its helpers.
pub const HELPER: &str = "io.lab.helper";

/// A crash, not a stop: the engine's own kill counts as a manual stop and the restart
/// policy would not apply (Engine 20.10). So the main process (`pid`, in the engine host's
/// PID namespace) gets the signal from a short-lived helper container that shares that
/// namespace (see [`run_helper`] for how helpers are accounted for).
pub async fn crash(
    engine: &Engine,
    pid: i64,
    signal: &str,
    helper: &HelperSpec<'_>,
    timeout: Duration,
) -> Result<(), EngineError> {
    let job = HelperJob {
        what: "the crash helper",
        suffix: "kill",
        cmd: vec!["kill".into(), format!("-{signal}"), pid.to_string()],
        host_config: HostConfig {
            pid_mode: Some("host".into()),
            network_mode: Some("none".into()),
            ..Default::default()
        },
        timeout,
        logs: false,
    };
    match run_helper(engine, helper, job).await?.exit {
        Some(0) => Ok(()),
        Some(n) => Err(EngineError::Refused(format!("the crash helper exited {n}"))),
        None => Err(EngineError::Refused(
            "the crash helper did not finish".into(),
        )),
    }
}

/// Wait (a bounded time) until no helper of `run` is still at work.
pub async fn settled(run: &str) {
    super::inflight::settled(run, Duration::from_secs(30)).await;
}

/// One short-lived helper container: what it runs, with which host settings.
pub(super) struct HelperJob {
    /// How messages name it ("the crash helper").
    pub what: &'static str,
    /// Its name is `<project>-lab-<suffix>-<run>`.
    pub suffix: &'static str,
    pub cmd: Vec<String>,
    pub host_config: HostConfig,
    pub timeout: Duration,
    /// Keep what it printed.
    pub logs: bool,
}

/// How a helper ended.
pub(super) struct HelperEnd {
    /// `None`: it did not finish within its time.
    pub exit: Option<i64>,
    /// Its output (stdout and stderr together), when asked for.
    pub output: Vec<u8>,
}

/// Create, start and wait for a helper container labelled with its run, then remove it on
/// every path. It runs on a task of its own, counted for its run: if this future is dropped
/// midway, [`settled`] waits for it to finish, and [`remove_helpers`] finds anything left
/// by its label.
pub(super) async fn run_helper(
    engine: &Engine,
    helper: &HelperSpec<'_>,
    job: HelperJob,
) -> Result<HelperEnd, EngineError> {
    let engine = engine.clone();
    let (image, project, run) = (
        helper.image.to_string(),
        helper.project.to_string(),
        helper.run.to_string(),
    );
    super::inflight::create(helper.run, async move {
        let helper = HelperSpec {
            image: &image,
            project: &project,
            run: &run,
        };
        run_helper_now(&engine, &helper, job).await
    })
    .await
}

async fn run_helper_now(
    engine: &Engine,
    helper: &HelperSpec<'_>,
    job: HelperJob,
) -> Result<HelperEnd, EngineError> {
    let docker = engine.api();
    let mut l = HashMap::new();
    l.insert(labels::PROJECT.to_string(), helper.project.to_string());
    l.insert(HELPER.to_string(), helper.run.to_string());
    let body = ContainerCreateBody {
        image: Some(helper.image.to_string()),
        cmd: Some(job.cmd),
        labels: Some(l),
        host_config: Some(job.host_config),
        ..Default::default()
    };
    let name = format!("{}-lab-{}-{}", helper.project, job.suffix, helper.run);
    let opts = CreateContainerOptionsBuilder::default().name(&name).build();
    let created = docker
        .create_container(Some(opts), body)
        .await
        .map_err(EngineError::engine(format!("creating {}", job.what)))?;
    let result = async {
        start(engine, &created.id).await?;
        let mut wait = docker.wait_container(
            &created.id,
            Some(WaitContainerOptionsBuilder::default().build()),
        );
        let exit = match tokio::time::timeout(job.timeout, wait.next()).await {
            Ok(Some(Ok(r))) => Some(r.status_code),
            // A non-zero exit comes as an error of the wait stream; the inspect says which.
            Ok(Some(Err(_))) | Ok(None) => super::inspect::container(engine, &created.id)
                .await?
                .and_then(|v| v.pointer("/State/ExitCode").and_then(|c| c.as_i64())),
            Err(_) => None,
        };
        let output = if job.logs {
            let req = super::logs::LogsRequest::default();
            super::logs::read(
                engine,
                &created.id,
                &req,
                (64 * 1024, crate::text::Keep::Head),
                job.timeout,
            )
            .await?
            .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(HelperEnd { exit, output })
    }
    .await;
    remove(engine, &created.id).await?;
    result
}

/// What a helper container is made of and labelled with.
#[derive(Debug, Clone, Copy)]
pub struct HelperSpec<'a> {
    pub image: &'a str,
    pub project: &'a str,
    /// The run (one `lab check`, one grade) the helper belongs to.
    pub run: &'a str,
}

/// Force-remove a container; one that is already gone is fine.
pub async fn remove(engine: &Engine, id: &str) -> Result<(), EngineError> {
    let rm = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    match engine.api().remove_container(id, Some(rm)).await {
        Ok(()) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(EngineError::engine(format!("removing {id}"))(e)),
    }
}

/// Remove every helper container of `run` (after an interrupted check).
pub async fn remove_helpers(engine: &Engine, run: &str) -> Result<Vec<String>, EngineError> {
    let filter = Filter {
        labels: vec![format!("{HELPER}={run}")],
        names: Vec::new(),
    };
    let mut removed = Vec::new();
    for c in list(engine, &filter).await? {
        remove(engine, &c.id).await?;
        removed.push(c.name);
    }
    Ok(removed)
}
