//! Tearing down by label: containers (concurrently), then networks, volumes on request.
//! Only what carries `lab`'s labels is removed; a student's own container attached to a
//! lab network is disconnected, named in the result, and left alone.

use std::collections::{HashMap, HashSet};

use bollard::Docker;
use bollard::models::NetworkDisconnectRequest;
use bollard::query_parameters::{
    InspectNetworkOptions, ListContainersOptionsBuilder, ListNetworksOptionsBuilder,
    ListVolumesOptionsBuilder, RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder,
    StopContainerOptionsBuilder,
};

use super::labels;
use crate::checks::docker::is_not_found;

/// What a teardown did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Teardown {
    /// Containers, networks and volumes removed, by name.
    pub removed: Vec<String>,
    /// Containers that are not the lab's, disconnected from its networks and kept.
    pub disconnected: Vec<String>,
    /// What could not be removed, with why.
    pub errors: Vec<String>,
}

/// `lab stop`: everything of a project; named volumes only with `volumes`.
pub async fn stop_project(docker: &Docker, project: &str, volumes: bool) -> Teardown {
    remove_labelled(
        docker,
        vec![format!("{}={project}", labels::PROJECT)],
        volumes,
    )
    .await
}

/// Remove what matches every label filter (`key=value`).
pub async fn remove_labelled(docker: &Docker, filter: Vec<String>, volumes: bool) -> Teardown {
    let mut out = Teardown::default();
    let mut filters = HashMap::new();
    filters.insert("label".to_string(), filter.clone());

    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    // Ours, by id: a container of the lab that could not be removed stays attached to its
    // network and is reported as an error, not "disconnected" as if it were the student's.
    let mut ours = HashSet::new();
    match docker.list_containers(Some(opts)).await {
        Ok(list) => {
            ours.extend(list.iter().filter_map(|c| c.id.clone()));
            let jobs = list.into_iter().map(|c| async move {
                let id = c.id.clone().unwrap_or_default();
                let name = c
                    .names
                    .as_ref()
                    .and_then(|n| n.first())
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or(id.clone());
                let grace = c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(labels::STOP_GRACE))
                    .and_then(|g| g.parse::<i32>().ok());
                // Lab containers are disposable: killed at once, unless the lab gives them a
                // stop_grace_period to shut down in (then they get that long after SIGTERM).
                if let Some(t) = grace {
                    let running = c.state.map(|s| s.to_string() == "running").unwrap_or(false);
                    if running {
                        let _ = docker
                            .stop_container(
                                &id,
                                Some(StopContainerOptionsBuilder::default().t(t).build()),
                            )
                            .await;
                    }
                }
                let rm = RemoveContainerOptionsBuilder::default()
                    .force(true)
                    .v(true)
                    .build();
                match docker.remove_container(&id, Some(rm)).await {
                    Ok(()) => Ok(name),
                    Err(e) if is_not_found(&e) => Ok(name),
                    Err(e) => Err(format!("container {name}: {e}")),
                }
            });
            for r in futures_util::future::join_all(jobs).await {
                match r {
                    Ok(n) => out.removed.push(n),
                    Err(e) => out.errors.push(e),
                }
            }
        }
        Err(e) => out.errors.push(format!("listing containers: {e}")),
    }

    // Networks and volumes do not depend on each other: side by side.
    let (nets, vols) = tokio::join!(remove_networks(docker, &filters, &ours), async {
        if volumes {
            remove_volumes(docker, &filters).await
        } else {
            Teardown::default()
        }
    });
    for part in [nets, vols] {
        out.removed.extend(part.removed);
        out.disconnected.extend(part.disconnected);
        out.errors.extend(part.errors);
    }
    out
}

/// Remove the labelled networks, after disconnecting what is attached and not ours.
async fn remove_networks(
    docker: &Docker,
    filters: &HashMap<String, Vec<String>>,
    ours: &HashSet<String>,
) -> Teardown {
    let mut out = Teardown::default();
    let opts = ListNetworksOptionsBuilder::default()
        .filters(filters)
        .build();
    match docker.list_networks(Some(opts)).await {
        Ok(nets) => {
            let jobs = nets.into_iter().map(|n| async move {
                let name = n.name.clone().unwrap_or_default();
                let mut disconnected = Vec::new();
                if let Ok(info) = docker
                    .inspect_network(&name, None::<InspectNetworkOptions>)
                    .await
                {
                    for (id, c) in info.containers.unwrap_or_default() {
                        if ours.contains(&id) {
                            continue;
                        }
                        // Not the lab's (a student's own): keep it, off the network.
                        let req = NetworkDisconnectRequest {
                            container: id.clone(),
                            force: Some(true),
                        };
                        if docker.disconnect_network(&name, req).await.is_ok() {
                            disconnected.push(c.name.unwrap_or(id));
                        }
                    }
                }
                let r = match docker.remove_network(&name).await {
                    Ok(()) => Ok(name.clone()),
                    Err(e) if is_not_found(&e) => Ok(name.clone()),
                    Err(e) => Err(format!("network {name}: {e}")),
                };
                (r, disconnected)
            });
            for (r, d) in futures_util::future::join_all(jobs).await {
                match r {
                    Ok(n) => out.removed.push(n),
                    Err(e) => out.errors.push(e),
                }
                out.disconnected.extend(d);
            }
        }
        Err(e) => out.errors.push(format!("listing networks: {e}")),
    }

    out
}

/// Remove the labelled volumes (their containers are gone by now).
async fn remove_volumes(docker: &Docker, filters: &HashMap<String, Vec<String>>) -> Teardown {
    let mut out = Teardown::default();
    let opts = ListVolumesOptionsBuilder::default()
        .filters(filters)
        .build();
    match docker.list_volumes(Some(opts)).await {
        Ok(resp) => {
            let jobs = resp
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| async move {
                    let rm = RemoveVolumeOptionsBuilder::default().force(true).build();
                    match docker.remove_volume(&v.name, Some(rm)).await {
                        Ok(()) => Ok(v.name),
                        Err(e) if is_not_found(&e) => Ok(v.name),
                        Err(e) => Err(format!("volume {}: {e}", v.name)),
                    }
                });
            for r in futures_util::future::join_all(jobs).await {
                match r {
                    Ok(n) => out.removed.push(n),
                    Err(e) => out.errors.push(e),
                }
            }
        }
        Err(e) => out.errors.push(format!("listing volumes: {e}")),
    }
    out
}

/// How many containers, networks and volumes carry `io.lab.project=<project>`.
pub async fn count_labelled(docker: &Docker, project: &str) -> usize {
    let mut filters = HashMap::new();
    filters.insert(
        "label".to_string(),
        vec![format!("{}={project}", labels::PROJECT)],
    );
    let containers = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
        .map(|l| l.len())
        .unwrap_or(0);
    let networks = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .map(|l| l.len())
        .unwrap_or(0);
    let volumes = docker
        .list_volumes(Some(
            ListVolumesOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .map(|r| r.volumes.map(|v| v.len()).unwrap_or(0))
        .unwrap_or(0);
    containers + networks + volumes
}

/// Every container, network and volume on the engine, by kind and name, with the project
/// label it carries (to spot what a run left behind).
pub async fn inventory(docker: &Docker) -> std::collections::BTreeMap<String, Option<String>> {
    let mut all = std::collections::BTreeMap::new();
    let project =
        |l: Option<&HashMap<String, String>>| l.and_then(|l| l.get(labels::PROJECT)).cloned();
    if let Ok(list) = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::default().all(true).build(),
        ))
        .await
    {
        for c in list {
            if let Some(n) = c.names.as_ref().and_then(|n| n.first()) {
                all.insert(
                    format!("container {}", n.trim_start_matches('/')),
                    project(c.labels.as_ref()),
                );
            }
        }
    }
    if let Ok(list) = docker
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await
    {
        for n in list {
            if let Some(name) = n.name.clone() {
                all.insert(format!("network {name}"), project(n.labels.as_ref()));
            }
        }
    }
    if let Ok(r) = docker
        .list_volumes(None::<bollard::query_parameters::ListVolumesOptions>)
        .await
    {
        for v in r.volumes.unwrap_or_default() {
            all.insert(format!("volume {}", v.name), project(Some(&v.labels)));
        }
    }
    all
}
