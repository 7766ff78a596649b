//! The engine's inspect output of containers, networks, volumes and images, as JSON with
//! the API's own field names (what `docker inspect` shows, what checks point into).
//! `Ok(None)`: there is no such object.

use bollard::query_parameters::InspectNetworkOptions;
use serde_json::Value;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};

fn found<T: serde::Serialize>(
    what: &str,
    r: Result<T, bollard::errors::Error>,
) -> Result<Option<Value>, EngineError> {
    match r {
        Ok(v) => serde_json::to_value(v).map(Some).map_err(|e| {
            EngineError::Refused(format!("could not read the inspect output of {what}: {e}"))
        }),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(EngineError::engine(format!("inspecting {what}"))(e)),
    }
}

pub async fn container(engine: &Engine, id: &str) -> Result<Option<Value>, EngineError> {
    let r = engine.api().inspect_container(id, None).await;
    found(&format!("container {id}"), r)
}

pub async fn network(engine: &Engine, name: &str) -> Result<Option<Value>, EngineError> {
    let r = engine
        .api()
        .inspect_network(name, None::<InspectNetworkOptions>)
        .await;
    found(&format!("network {name}"), r)
}

pub async fn volume(engine: &Engine, name: &str) -> Result<Option<Value>, EngineError> {
    let r = engine.api().inspect_volume(name).await;
    found(&format!("volume {name}"), r)
}

pub async fn image(engine: &Engine, name: &str) -> Result<Option<Value>, EngineError> {
    let r = engine.api().inspect_image(name).await;
    found(&format!("image {name}"), r)
}

/// The engine's own information (what `docker info` shows: `/KernelVersion`, `/ServerVersion`).
pub async fn engine(engine: &Engine) -> Result<Value, EngineError> {
    let r = engine.api().info().await;
    found("the engine", r)?
        .ok_or_else(|| EngineError::Refused("the engine gave no information about itself".into()))
}
