//! The services of a running lab: state, health, published ports.

use serde::Serialize;

use super::connect::Engine;
use super::error::EngineError;
use super::find::{Filter, list};
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

pub async fn status(engine: &Engine, project: &str) -> Result<Vec<ServiceStatus>, EngineError> {
    let mut filter = Filter::project(project);
    filter.labels.push(labels::SERVICE.to_string());
    let mut out: Vec<ServiceStatus> = list(engine, &filter)
        .await?
        .into_iter()
        .map(|c| {
            let health = if c.status.contains("(healthy)") {
                "healthy"
            } else if c.status.contains("(unhealthy)") {
                "unhealthy"
            } else if c.status.contains("(health: starting)") {
                "starting"
            } else {
                "none"
            };
            let mut ports: Vec<String> = c
                .ports
                .iter()
                // The engine reports each binding for 0.0.0.0 and ::; show one.
                .filter(|(ip, ..)| ip != "::")
                .map(|(ip, public, private, proto)| {
                    let ip = if ip.is_empty() { "0.0.0.0" } else { ip };
                    format!("{ip}:{public}→{private}/{proto}")
                })
                .collect();
            ports.sort();
            ports.dedup();
            ServiceStatus {
                service: c.label(labels::SERVICE).unwrap_or_default().to_string(),
                container: c.name,
                state: c.state,
                health: health.into(),
                ports,
            }
        })
        .collect();
    out.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(out)
}
