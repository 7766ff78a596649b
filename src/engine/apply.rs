//! Applying a plan: images, networks and volumes concurrently; every container created up
//! front; then each started as soon as its dependencies are as it asks (started, healthy,
//! completed) — see `ready` for the waits.
//! Everything this run creates carries a run label, so a failed or interrupted run can be
//! rolled back exactly, even for a create still in flight when it was interrupted.

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, NetworkConnectRequest, NetworkCreateRequest,
    VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectNetworkOptions, RemoveContainerOptionsBuilder,
    StartContainerOptions,
};
use tokio::sync::watch;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::find::{Filter, list};
use super::images;
use super::inflight;
use super::labels;
use super::plan::{ContainerPlan, Plan, Readiness};
use super::progress::{Progress, ProgressSink};
use super::ready::{Ready, confirm, wait_ready};
use crate::model::DependencyCondition;

/// How `apply` behaves.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Where image and service progress goes.
    pub progress: ProgressSink,
    /// The longest any service may take to become ready.
    pub ready_timeout: Duration,
    /// Wait for the engine's own "healthy" of services whose health test passed when we ran
    /// it (what a student sees after `lab start`); a batch of submissions need not.
    pub confirm_health: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            progress: ProgressSink::default(),
            ready_timeout: Duration::from_secs(120),
            confirm_health: true,
        }
    }
}

/// What a run did, service by service.
#[derive(Debug, Default, Clone)]
pub struct Applied {
    pub created: Vec<String>,
    pub recreated: Vec<String>,
    pub kept: Vec<String>,
    pub started: Vec<String>,
}

/// A fresh id for the resources one run creates.
pub fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}-{:x}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

struct Existing {
    id: String,
    project: Option<String>,
    hash: Option<String>,
    state: String,
}

pub async fn apply(
    engine: &Engine,
    plan: &Plan,
    opts: &ApplyOptions,
    run_id: &str,
) -> Result<Applied, EngineError> {
    let docker = engine.api();
    let progress = &opts.progress;
    let existing = existing_containers(engine, plan).await?;

    let (images, networks, volumes) = tokio::join!(
        images::ensure(engine, &plan.images, progress),
        ensure_networks(docker, plan, run_id),
        ensure_volumes(docker, plan, run_id),
    );
    let images = images?;
    networks?;
    volumes?;
    // What each container runs is part of what it is: a rebuilt image recreates it.
    let containers: Vec<ContainerPlan> = plan
        .containers
        .iter()
        .map(|c| with_image_id(c, images.ids.get(c.body.image.as_deref().unwrap_or(""))))
        .collect();

    // Create every container first, side by side: only the starts stay on the critical
    // path of the dependencies.
    let prepared = futures_util::future::join_all(
        containers
            .iter()
            .map(|c| prepare(docker, c, existing.get(&c.name), run_id)),
    )
    .await;
    let mut steps = Vec::with_capacity(prepared.len());
    for p in prepared {
        steps.push(p?);
    }
    // Each service starts as soon as what it depends on is as asked (a graph, not levels:
    // a long chain does not wait for a short one, nor the other way round).
    let phases: Vec<watch::Sender<Phase>> = plan
        .containers
        .iter()
        .map(|_| watch::channel(Phase::Waiting).0)
        .collect();
    let jobs = containers.iter().enumerate().map(|(i, c)| {
        let phases = &phases;
        let step = &steps[i];
        let waits: Vec<(usize, Phase)> = c
            .depends_on
            .iter()
            .map(|(j, condition)| {
                let need = match condition {
                    DependencyCondition::ServiceStarted => Phase::Started,
                    _ => Phase::Ready,
                };
                (*j, need)
            })
            .collect();
        async move {
            for (j, need) in waits {
                // The sender lives in `phases` until every job is done: this cannot fail.
                let _ = phases[j].subscribe().wait_for(|p| *p >= need).await;
            }
            launch(docker, c, step).await?;
            phases[i].send_replace(Phase::Started);
            progress.emit(Progress::Started {
                service: c.display(),
            });
            let ready = wait_ready(engine, c, opts.ready_timeout).await?;
            phases[i].send_replace(Phase::Ready);
            progress.emit(Progress::Ready {
                service: c.display(),
            });
            Ok::<_, EngineError>(ready)
        }
    });
    let readiness = futures_util::future::try_join_all(jobs).await?;
    // Those whose health test passed when we ran it: the engine's own "healthy" must follow
    // before we say the lab is up (by now its first probe is usually done).
    let confirms = plan
        .containers
        .iter()
        .zip(&readiness)
        .filter(|(_, r)| opts.confirm_health && **r == Ready::Probed)
        .map(|(c, _)| confirm(engine, c, opts.ready_timeout));
    futures_util::future::try_join_all(confirms).await?;

    let mut applied = Applied::default();
    for (c, step) in containers.iter().zip(&steps) {
        let name = c.display();
        match step {
            Step::Created(_) => applied.created.push(name),
            Step::Recreated(_) => applied.recreated.push(name),
            Step::Kept => applied.kept.push(name),
            Step::Start(_) | Step::Unpause(_) => applied.started.push(name),
        }
    }
    images::remove_replaced(engine, &images.replaced).await;
    Ok(applied)
}

/// The container's plan with the id of its image in its config hash.
fn with_image_id(c: &ContainerPlan, id: Option<&String>) -> ContainerPlan {
    let mut c = c.clone();
    if let Some(id) = id {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(c.hash.as_bytes());
        h.update(id.as_bytes());
        c.hash = hex::encode(&h.finalize()[..8]);
        if let Some(l) = c.body.labels.as_mut() {
            l.insert(labels::CONFIG_HASH.to_string(), c.hash.clone());
        }
    }
    c
}

async fn existing_containers(
    engine: &Engine,
    plan: &Plan,
) -> Result<HashMap<String, Existing>, EngineError> {
    let names: Vec<String> = plan.containers.iter().map(|c| c.name.clone()).collect();
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = Filter {
        labels: Vec::new(),
        names,
    };
    Ok(list(engine, &filter)
        .await?
        .into_iter()
        .map(|c| {
            let existing = Existing {
                id: c.id.clone(),
                project: c.label(labels::PROJECT).map(str::to_string),
                hash: c.label(labels::CONFIG_HASH).map(str::to_string),
                state: c.state.clone(),
            };
            (c.name, existing)
        })
        .collect())
}

fn with_run(labels: &HashMap<String, String>, run_id: &str) -> HashMap<String, String> {
    let mut l = labels.clone();
    l.insert(labels::RUN.to_string(), run_id.to_string());
    l
}

async fn ensure_networks(docker: &Docker, plan: &Plan, run_id: &str) -> Result<(), EngineError> {
    let jobs = plan.networks.iter().map(|n| async move {
        match docker
            .inspect_network(&n.name, None::<InspectNetworkOptions>)
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                return Err(EngineError::engine(format!(
                    "inspecting network {}",
                    n.name
                ))(e));
            }
        }
        let req = NetworkCreateRequest {
            name: n.name.clone(),
            driver: n.driver.clone(),
            internal: Some(n.internal),
            labels: Some(with_run(&n.labels, run_id)),
            ..Default::default()
        };
        let (docker, name) = (docker.clone(), n.name.clone());
        inflight::create(run_id, async move {
            docker
                .create_network(req)
                .await
                .map(|_| ())
                .map_err(EngineError::engine(format!("creating network {name}")))
        })
        .await
    });
    futures_util::future::join_all(jobs)
        .await
        .into_iter()
        .collect()
}

async fn ensure_volumes(docker: &Docker, plan: &Plan, run_id: &str) -> Result<(), EngineError> {
    let jobs = plan.volumes.iter().map(|v| async move {
        match docker.inspect_volume(&v.name).await {
            Ok(_) => return Ok(()),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(EngineError::engine(format!("inspecting volume {}", v.name))(e)),
        }
        let req = VolumeCreateRequest {
            name: Some(v.name.clone()),
            driver: v.driver.clone(),
            labels: Some(with_run(&v.labels, run_id)),
            ..Default::default()
        };
        let (docker, name) = (docker.clone(), v.name.clone());
        inflight::create(run_id, async move {
            docker
                .create_volume(req)
                .await
                .map(|_| ())
                .map_err(EngineError::engine(format!("creating volume {name}")))
        })
        .await
    });
    futures_util::future::join_all(jobs)
        .await
        .into_iter()
        .collect()
}

/// What a service needs, decided (and, for new containers, created) before any start.
enum Step {
    Kept,
    Start(String),
    Unpause(String),
    Created(String),
    Recreated(String),
}

async fn prepare(
    docker: &Docker,
    c: &ContainerPlan,
    existing: Option<&Existing>,
    run_id: &str,
) -> Result<Step, EngineError> {
    let ours = c
        .body
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::PROJECT))
        .map(String::as_str);
    Ok(match existing {
        Some(e) if e.project.is_none() || e.project.as_deref() != ours => {
            // Never touch what is not ours.
            return Err(EngineError::InvalidLab {
                service: c.service.clone(),
                message: format!(
                    "a container named {} already exists and does not belong to this lab; remove or rename it",
                    c.name
                ),
            });
        }
        Some(e) if e.hash.as_deref() == Some(c.hash.as_str()) => match e.state.as_str() {
            "running" => Step::Kept,
            "exited"
                if c.ready_when == Readiness::Completed
                    && exit_code(docker, &e.id).await == Some(0) =>
            {
                Step::Kept
            }
            "paused" => Step::Unpause(e.id.clone()),
            _ => Step::Start(e.id.clone()),
        },
        Some(e) => {
            let rm = RemoveContainerOptionsBuilder::default().force(true).build();
            docker
                .remove_container(&e.id, Some(rm))
                .await
                .map_err(EngineError::engine(format!("removing the old {}", c.name)))?;
            Step::Recreated(create(docker, c, run_id).await?)
        }
        None => Step::Created(create(docker, c, run_id).await?),
    })
}

/// Start a prepared service, if it needs it.
async fn launch(docker: &Docker, c: &ContainerPlan, step: &Step) -> Result<(), EngineError> {
    match step {
        Step::Kept => Ok(()),
        Step::Unpause(id) => docker
            .unpause_container(id)
            .await
            .map_err(EngineError::engine(format!("unpausing {}", c.name))),
        Step::Start(id) | Step::Created(id) | Step::Recreated(id) => start(docker, c, id).await,
    }
}

/// How far a service has come in this run, for its dependents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Waiting,
    Started,
    Ready,
}

/// Create the container (with this run's label) and connect its further networks; on a
/// task of its own, so that a cancelled start cannot leave a create unaccounted for.
async fn create(docker: &Docker, c: &ContainerPlan, run_id: &str) -> Result<String, EngineError> {
    let (docker, c, run) = (docker.clone(), c.clone(), run_id.to_string());
    inflight::create(run_id, async move { create_now(&docker, &c, &run).await }).await
}

async fn create_now(
    docker: &Docker,
    c: &ContainerPlan,
    run_id: &str,
) -> Result<String, EngineError> {
    let mut body: ContainerCreateBody = c.body.clone();
    body.labels = body.labels.map(|l| with_run(&l, run_id));
    let opts = CreateContainerOptionsBuilder::default()
        .name(&c.name)
        .build();
    let created = docker
        .create_container(Some(opts), body)
        .await
        .map_err(|e| match &e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => EngineError::ImageUnavailable {
                image: c.body.image.clone().unwrap_or_default(),
                reason: e.to_string(),
            },
            _ => EngineError::engine(format!("creating the container of {}", c.service))(e),
        })?;
    for (net, aliases) in &c.extra_networks {
        let req = NetworkConnectRequest {
            container: created.id.clone(),
            endpoint_config: Some(EndpointSettings {
                aliases: Some(aliases.clone()),
                ..Default::default()
            }),
        };
        docker
            .connect_network(net, req)
            .await
            .map_err(EngineError::engine(format!(
                "connecting {} to {net}",
                c.service
            )))?;
    }
    Ok(created.id)
}

async fn start(docker: &Docker, c: &ContainerPlan, id: &str) -> Result<(), EngineError> {
    docker
        .start_container(id, None::<StartContainerOptions>)
        .await
        .map_err(|e| {
            let text = e.to_string();
            if text.contains("port is already allocated") || text.contains("address already in use")
            {
                let port = c
                    .body
                    .host_config
                    .as_ref()
                    .and_then(|h| h.port_bindings.as_ref())
                    .and_then(|p| {
                        p.iter().find_map(|(k, v)| {
                            let host = v.as_ref()?.iter().find_map(|b| {
                                b.host_port
                                    .clone()
                                    .filter(|h| !h.is_empty() && text.contains(h.as_str()))
                            })?;
                            Some((host, k.clone()))
                        })
                    });
                let (port, container_port) = port.unwrap_or_else(|| ("?".into(), "?".into()));
                EngineError::PortTaken {
                    service: c.service.clone(),
                    port,
                    container_port: container_port.trim_end_matches("/tcp").to_string(),
                }
            } else {
                EngineError::engine(format!("starting {}", c.service))(e)
            }
        })
}

async fn exit_code(docker: &Docker, id: &str) -> Option<i64> {
    docker
        .inspect_container(id, None)
        .await
        .ok()?
        .state?
        .exit_code
}

/// Remove everything one run created (labelled with its run id), containers first.
/// Returns the names removed.
pub async fn rollback(engine: &Engine, project: &str, run_id: &str) -> Vec<String> {
    // A create still in flight when the run was interrupted must land before we look.
    inflight::settled(run_id, Duration::from_secs(30)).await;
    let filter = vec![
        format!("{}={project}", labels::PROJECT),
        format!("{}={run_id}", labels::RUN),
    ];
    super::teardown::remove_labelled(engine, filter, true, &Default::default())
        .await
        .removed
}
