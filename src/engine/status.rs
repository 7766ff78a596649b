//! The services of a running lab: state, health, published ports.

use std::collections::HashMap;

use bollard::Docker;
use bollard::query_parameters::ListContainersOptionsBuilder;
use serde::Serialize;

use super::labels;

#[derive(Debug, Clone, Serialize)]
pub struct ServiceStatus {
    pub service: String,
    pub container: String,
    pub state: String,
    /// healthy, unhealthy, starting, or none.
    pub health: String,
    /// `host:port → container/proto`.
    pub ports: Vec<String>,
}

pub async fn status(
    docker: &Docker,
    project: &str,
) -> Result<Vec<ServiceStatus>, bollard::errors::Error> {
    let mut filters = HashMap::new();
    filters.insert(
        "label",
        vec![
            format!("{}={project}", labels::PROJECT),
            labels::SERVICE.to_string(),
        ],
    );
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let list = docker.list_containers(Some(opts)).await?;
    let mut out: Vec<ServiceStatus> = list
        .into_iter()
        .map(|c| {
            let status_text = c.status.clone().unwrap_or_default();
            let health = if status_text.contains("(healthy)") {
                "healthy"
            } else if status_text.contains("(unhealthy)") {
                "unhealthy"
            } else if status_text.contains("(health: starting)") {
                "starting"
            } else {
                "none"
            };
            let mut ports: Vec<String> = c
                .ports
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    let public = p.public_port?;
                    let ip = p.ip.unwrap_or_default();
                    // The engine reports each binding for 0.0.0.0 and ::; show one.
                    if ip == "::" {
                        return None;
                    }
                    let proto = p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into());
                    Some(format!(
                        "{}:{public}→{}/{proto}",
                        if ip.is_empty() { "0.0.0.0".into() } else { ip },
                        p.private_port
                    ))
                })
                .collect();
            ports.sort();
            ports.dedup();
            ServiceStatus {
                service: c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(labels::SERVICE))
                    .cloned()
                    .unwrap_or_default(),
                container: c
                    .names
                    .as_ref()
                    .and_then(|n| n.first())
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_default(),
                state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                health: health.into(),
                ports,
            }
        })
        .collect();
    out.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(out)
}
