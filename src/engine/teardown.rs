//! Tearing down by label: containers (concurrently), then networks, volumes on request.
//! Only what carries `lab`'s labels is removed; a student's own container attached to a
//! lab network is disconnected, named in the result, and left alone.

use std::collections::{HashMap, HashSet};

use bollard::Docker;
use bollard::models::NetworkDisconnectRequest;
use bollard::query_parameters::{
    InspectNetworkOptions, ListNetworksOptionsBuilder, ListVolumesOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder, StopContainerOptionsBuilder,
};

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::find::{Filter, list};
use super::labels;

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

/// More to remove along with a project's own objects (what a submission's script made,
/// by id or name), and whether the project's networks stay for the next run (a batch of
/// submissions reuses them: a network holds no data).
#[derive(Debug, Default, Clone)]
pub struct Also {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    pub images: Vec<String>,
    pub keep_networks: bool,
}

/// `lab stop`: everything of a project; named volumes only with `volumes`.
pub async fn stop_project(engine: &Engine, project: &str, volumes: bool) -> Teardown {
    remove_labelled(
        engine,
        vec![format!("{}={project}", labels::PROJECT)],
        volumes,
        &Also::default(),
    )
    .await
}

/// A project's containers and volumes with `also`, all containers first: one teardown's
/// worth of waiting, not one per kind of owner.
pub async fn sweep_project(engine: &Engine, project: &str, also: &Also) -> Teardown {
    remove_labelled(
        engine,
        vec![format!("{}={project}", labels::PROJECT)],
        true,
        also,
    )
    .await
}

/// Remove what matches every label filter (`key=value`), and `also`.
pub async fn remove_labelled(
    engine: &Engine,
    filter: Vec<String>,
    volumes: bool,
    also: &Also,
) -> Teardown {
    let docker = engine.api();
    let mut out = Teardown::default();
    let mut filters = HashMap::new();
    filters.insert("label".to_string(), filter.clone());

    let listed = list(
        engine,
        &Filter {
            labels: filter,
            names: Vec::new(),
        },
    )
    .await;
    // Ours, by id: a container of the lab that could not be removed stays attached to its
    // network and is reported as an error, not "disconnected" as if it were the student's.
    let mut ours = HashSet::new();
    match listed {
        Ok(list) => {
            ours.extend(list.iter().map(|c| c.id.clone()));
            let jobs = list.into_iter().map(|c| async move {
                let name = if c.name.is_empty() {
                    c.id.clone()
                } else {
                    c.name.clone()
                };
                let grace = c
                    .label(labels::STOP_GRACE)
                    .and_then(|g| g.parse::<i32>().ok());
                // Lab containers are disposable: killed at once, unless the lab gives them a
                // stop_grace_period to shut down in (then they get that long after SIGTERM).
                // Either way it is stopped, and its exit handled, before it is removed: a
                // running container removed while the engine still releases its network
                // endpoints can leave one behind on Engine 20.10, and the network can then
                // not be removed until the engine restarts (moby#43286).
                // `stop` returns once the engine has seen the exit; with no grace it kills at once.
                if matches!(c.state.as_str(), "running" | "paused" | "restarting") {
                    let t = grace.unwrap_or(0);
                    let _ = docker
                        .stop_container(
                            &c.id,
                            Some(StopContainerOptionsBuilder::default().t(t).build()),
                        )
                        .await;
                }
                let rm = RemoveContainerOptionsBuilder::default()
                    .force(true)
                    .v(true)
                    .build();
                match docker.remove_container(&c.id, Some(rm)).await {
                    Ok(()) => Ok(name),
                    Err(e) if is_not_found(&e) => Ok(name),
                    Err(e) => Err(format!("container {name}: {e}")),
                }
            });
            // A script's container that carries the lab's labels is among them already.
            let extra = also
                .containers
                .iter()
                .filter(|c| !ours.iter().any(|id| id.starts_with(c.as_str())))
                .map(|c| named(engine, "container", c.clone()));
            let (labelled, extra) = tokio::join!(
                futures_util::future::join_all(jobs),
                futures_util::future::join_all(extra)
            );
            for r in labelled.into_iter().chain(extra) {
                match r {
                    Ok(n) => out.removed.push(n),
                    Err(e) => out.errors.push(e),
                }
            }
        }
        Err(e) => out.errors.push(e.to_string()),
    }

    // Networks, volumes and images do not depend on each other: side by side.
    let others = also
        .networks
        .iter()
        .map(|n| named(engine, "network", n.clone()))
        .chain(
            also.volumes
                .iter()
                .map(|v| named(engine, "volume", v.clone())),
        )
        .chain(
            also.images
                .iter()
                .map(|i| named(engine, "image", i.clone())),
        );
    let (nets, vols, others) = tokio::join!(
        async {
            if also.keep_networks {
                Teardown::default()
            } else {
                remove_networks(docker, &filters, &ours).await
            }
        },
        async {
            if volumes {
                remove_volumes(docker, &filters).await
            } else {
                Teardown::default()
            }
        },
        futures_util::future::join_all(others)
    );
    for part in [nets, vols] {
        out.removed.extend(part.removed);
        out.disconnected.extend(part.disconnected);
        out.errors.extend(part.errors);
    }
    for r in others {
        match r {
            Ok(n) => out.removed.push(n),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// [`remove_named`], as a teardown step: the name, or what went wrong.
async fn named(engine: &Engine, kind: &'static str, name: String) -> Result<String, String> {
    remove_named(engine, kind, &name)
        .await
        .map(|()| name.clone())
        .map_err(|e| format!("{kind} {name}: {e}"))
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

/// How many containers, networks and volumes carry `io.lab.project=<project>`. A failure
/// to list is an error, never "nothing there".
pub async fn count_labelled(engine: &Engine, project: &str) -> Result<usize, EngineError> {
    let docker = engine.api();
    let filter = Filter::project(project);
    let mut filters = HashMap::new();
    filters.insert("label".to_string(), filter.labels.clone());
    let containers = list(engine, &filter).await?.len();
    let networks = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(EngineError::engine("listing networks"))?
        .len();
    let volumes = docker
        .list_volumes(Some(
            ListVolumesOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(EngineError::engine("listing volumes"))?
        .volumes
        .map(|v| v.len())
        .unwrap_or(0);
    Ok(containers + networks + volumes)
}

/// Every container, network and volume on the engine, by kind and name, with the project
/// label it carries (to spot what a run left behind).
pub async fn inventory(
    engine: &Engine,
) -> Result<std::collections::BTreeMap<String, Option<String>>, EngineError> {
    let docker = engine.api();
    let mut all = std::collections::BTreeMap::new();
    let project =
        |l: Option<&HashMap<String, String>>| l.and_then(|l| l.get(labels::PROJECT)).cloned();
    for c in list(engine, &Filter::default()).await? {
        let p = c.label(labels::PROJECT).map(str::to_string);
        all.insert(format!("container {}", c.name), p);
    }
    let networks = docker
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await
        .map_err(EngineError::engine("listing networks"))?;
    for n in networks {
        if let Some(name) = n.name.clone() {
            all.insert(format!("network {name}"), project(n.labels.as_ref()));
        }
    }
    let volumes = docker
        .list_volumes(None::<bollard::query_parameters::ListVolumesOptions>)
        .await
        .map_err(EngineError::engine("listing volumes"))?;
    for v in volumes.volumes.unwrap_or_default() {
        all.insert(format!("volume {}", v.name), project(Some(&v.labels)));
    }
    Ok(all)
}

/// Every image tag on the engine (`name:tag`): what a submission built shows up here.
pub async fn image_tags(
    engine: &Engine,
) -> Result<std::collections::BTreeMap<String, String>, EngineError> {
    let images = engine
        .api()
        .list_images(None::<bollard::query_parameters::ListImagesOptions>)
        .await
        .map_err(EngineError::engine("listing images"))?;
    // Tag → the image's id.
    Ok(images
        .into_iter()
        .flat_map(|i| {
            let id = i.id;
            i.repo_tags.into_iter().map(move |t| (t, id.clone()))
        })
        .filter(|(t, _)| t != "<none>:<none>")
        .collect())
}

/// The images `lab` built (they carry its context hash) that no tag names any more: left
/// when a rebuild moved the tag while a container still used the old image.
pub async fn untagged_builds(
    engine: &Engine,
) -> Result<std::collections::BTreeSet<String>, EngineError> {
    untagged(engine, Some(labels::CONTEXT_HASH)).await
}

/// The images no tag names and no other image builds on, with `label` if given.
pub async fn untagged(
    engine: &Engine,
    label: Option<&str>,
) -> Result<std::collections::BTreeSet<String>, EngineError> {
    let mut filters = HashMap::from([("dangling".to_string(), vec!["true".to_string()])]);
    if let Some(label) = label {
        filters.insert("label".to_string(), vec![label.to_string()]);
    }
    let opts = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&filters)
        .build();
    listed_ids(engine, opts).await
}

/// Every image's id, the layers of builds included: an image a build "made" from its
/// cache may be one that was there before.
pub async fn image_ids(engine: &Engine) -> Result<std::collections::BTreeSet<String>, EngineError> {
    let opts = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .all(true)
        .build();
    listed_ids(engine, opts).await
}

/// The ids of the images a listing with `opts` returns.
async fn listed_ids(
    engine: &Engine,
    opts: bollard::query_parameters::ListImagesOptions,
) -> Result<std::collections::BTreeSet<String>, EngineError> {
    let images = engine
        .api()
        .list_images(Some(opts))
        .await
        .map_err(EngineError::engine("listing images"))?;
    Ok(images.into_iter().map(|i| i.id).collect())
}

/// Remove one object by kind (`container`, `network`, `volume`, `image`) and name: what a grader
/// proved a submission made (it appeared while the submission ran, named after the lab).
/// A network's containers are disconnected first; one already gone is fine.
pub async fn remove_named(engine: &Engine, kind: &str, name: &str) -> Result<(), EngineError> {
    let docker = engine.api();
    let gone = |r: Result<(), bollard::errors::Error>, doing: String| match r {
        Ok(()) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        // Someone (another part of the same teardown) is already removing it.
        Err(e) if e.to_string().contains("already in progress") => Ok(()),
        Err(e) => Err(EngineError::engine(doing)(e)),
    };
    match kind {
        "container" => {
            let rm = RemoveContainerOptionsBuilder::default()
                .force(true)
                .v(true)
                .build();
            gone(
                docker.remove_container(name, Some(rm)).await,
                format!("removing container {name}"),
            )
        }
        "network" => {
            if let Ok(info) = docker
                .inspect_network(name, None::<InspectNetworkOptions>)
                .await
            {
                for id in info.containers.unwrap_or_default().into_keys() {
                    let req = NetworkDisconnectRequest {
                        container: id,
                        force: Some(true),
                    };
                    let _ = docker.disconnect_network(name, req).await;
                }
            }
            gone(
                docker.remove_network(name).await,
                format!("removing network {name}"),
            )
        }
        "image" => {
            // The tag only: layers another image shares stay.
            let rm = bollard::query_parameters::RemoveImageOptionsBuilder::default()
                .force(true)
                .build();
            gone(
                docker.remove_image(name, Some(rm), None).await.map(|_| ()),
                format!("removing image {name}"),
            )
        }
        "volume" => {
            let rm = RemoveVolumeOptionsBuilder::default().force(true).build();
            gone(
                docker.remove_volume(name, Some(rm)).await,
                format!("removing volume {name}"),
            )
        }
        _ => Ok(()),
    }
}
