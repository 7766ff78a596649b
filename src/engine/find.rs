//! Finding containers: one listing by label or name, and what is built on it (which labs
//! run, the container of a service, a container by name). No state file to go stale: the
//! labels on the engine are the truth.

use std::collections::{BTreeSet, HashMap};

use bollard::query_parameters::ListContainersOptionsBuilder;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::labels;

/// A container as the engine lists it.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub id: String,
    pub name: String,
    /// created, running, paused, restarting, exited, dead.
    pub state: String,
    /// The engine's one-line status ("Up 3 seconds (healthy)").
    pub status: String,
    pub labels: HashMap<String, String>,
    /// (host ip, host port, container port, protocol) for each published port.
    pub ports: Vec<(String, u16, u16, String)>,
}

impl Listed {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
}

/// Which containers to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `key` or `key=value`, all of which must match.
    pub labels: Vec<String>,
    /// Exact container names.
    pub names: Vec<String>,
}

impl Filter {
    /// Everything labelled with this project.
    pub fn project(project: &str) -> Filter {
        Filter {
            labels: vec![format!("{}={project}", labels::PROJECT)],
            names: Vec::new(),
        }
    }
}

/// Every container (running or not) that matches the filter.
pub async fn list(engine: &Engine, filter: &Filter) -> Result<Vec<Listed>, EngineError> {
    let mut filters: HashMap<&str, Vec<String>> = HashMap::new();
    if !filter.labels.is_empty() {
        filters.insert("label", filter.labels.clone());
    }
    if !filter.names.is_empty() {
        filters.insert(
            "name",
            filter.names.iter().map(|n| format!("^/{n}$")).collect(),
        );
    }
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let list = engine
        .api()
        .list_containers(Some(opts))
        .await
        .map_err(EngineError::engine("listing containers"))?;
    Ok(list
        .into_iter()
        .map(|c| Listed {
            id: c.id.unwrap_or_default(),
            name: c
                .names
                .as_ref()
                .and_then(|n| n.first())
                .map(|n| n.trim_start_matches('/').to_string())
                .unwrap_or_default(),
            state: c.state.map(|s| s.to_string()).unwrap_or_default(),
            status: c.status.unwrap_or_default(),
            labels: c.labels.unwrap_or_default(),
            ports: c
                .ports
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    let proto = p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into());
                    Some((
                        p.ip.unwrap_or_default(),
                        p.public_port?,
                        p.private_port,
                        proto,
                    ))
                })
                .collect(),
        })
        .collect())
}

/// A lab found on the engine, in the project it was started in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Running {
    pub lab: String,
    pub project: String,
}

/// Every (lab, project) with at least one labelled container, running or not.
pub async fn running_labs(engine: &Engine) -> Result<Vec<Running>, EngineError> {
    let filter = Filter {
        labels: vec![labels::LAB.to_string(), labels::PROJECT.to_string()],
        names: Vec::new(),
    };
    let found: BTreeSet<Running> = list(engine, &filter)
        .await?
        .iter()
        .filter_map(|c| {
            Some(Running {
                lab: c.label(labels::LAB)?.to_string(),
                project: c.label(labels::PROJECT)?.to_string(),
            })
        })
        .collect();
    Ok(found.into_iter().collect())
}

/// A container found for a check or a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: String,
    pub name: String,
}

/// The container of a stack service in a project (a running one when an old one lingers);
/// `None` when the service has none.
pub async fn service(
    engine: &Engine,
    project: &str,
    service: &str,
) -> Result<Option<Found>, EngineError> {
    by_labels(
        engine,
        vec![
            format!("{}={project}", labels::PROJECT),
            format!("{}={service}", labels::SERVICE),
        ],
    )
    .await
}

/// The container of one replica of a service (`io.lab.replica`).
pub async fn replica(
    engine: &Engine,
    project: &str,
    service: &str,
    replica: u32,
) -> Result<Option<Found>, EngineError> {
    by_labels(
        engine,
        vec![
            format!("{}={project}", labels::PROJECT),
            format!("{}={service}", labels::SERVICE),
            format!("{}={replica}", labels::REPLICA),
        ],
    )
    .await
}

/// A running container with all these labels, else any; `None` when there is none.
async fn by_labels(engine: &Engine, labels: Vec<String>) -> Result<Option<Found>, EngineError> {
    let filter = Filter {
        labels,
        names: Vec::new(),
    };
    let list = list(engine, &filter).await?;
    let pick = list.iter().find(|c| c.state == "running").or(list.first());
    Ok(pick.map(|c| Found {
        id: c.id.clone(),
        name: c.name.clone(),
    }))
}

/// A container by name or id; `None` when there is none.
pub async fn container(engine: &Engine, name: &str) -> Result<Option<Found>, EngineError> {
    match engine.api().inspect_container(name, None).await {
        Ok(c) => Ok(Some(Found {
            id: c.id.unwrap_or_else(|| name.to_string()),
            name: c
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
        })),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(EngineError::engine(format!("inspecting container {name}"))(
            e,
        )),
    }
}
