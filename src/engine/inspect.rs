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

/// A container path without a trailing slash (`/tmp/` is `/tmp`), as `Mounts` lists them.
pub fn clean_path(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    }
}

/// A container's mounts from its inspect output, as `Mounts` lists them (`Type`,
/// `Destination`, `RW`, `Name`, `Source`), plus those `Mounts` leaves out: a `--tmpfs`
/// mount is only in `HostConfig.Tmpfs` (Engine 20.10), though it is as much a mount as
/// `--mount type=tmpfs`, which `Mounts` does list.
pub fn mounts(v: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = v
        .pointer("/Mounts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(tmpfs) = v.pointer("/HostConfig/Tmpfs").and_then(Value::as_object) {
        for (target, opts) in tmpfs {
            // `--tmpfs /tmp/` keeps its slash here; `Mounts` lists destinations clean.
            let target = clean_path(target);
            if out
                .iter()
                .any(|m| m.pointer("/Destination").and_then(Value::as_str) == Some(target))
            {
                continue;
            }
            let read_only = opts
                .as_str()
                .is_some_and(|o| o.split(',').any(|o| o.trim() == "ro"));
            out.push(serde_json::json!({
                "Type": "tmpfs",
                "Source": "",
                "Destination": target,
                "RW": !read_only,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mounts;

    #[test]
    fn a_tmpfs_flag_is_a_mount() {
        let v = serde_json::json!({
            "Mounts": [{ "Type": "volume", "Name": "data", "Destination": "/data", "RW": true }],
            "HostConfig": { "Tmpfs": { "/tmp": "size=1m", "/run": "ro,noexec", "/data": "" } }
        });
        let got: Vec<(String, bool)> = mounts(&v)
            .iter()
            .map(|m| {
                (
                    m["Destination"].as_str().unwrap_or("").to_string(),
                    m["RW"] == true,
                )
            })
            .collect();
        // `/data` is the volume's (the engine mounts one thing at a path); the order of a
        // JSON object is not the engine's business.
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.contains(&("/data".into(), true)));
        assert!(got.contains(&("/tmp".into(), true)));
        assert!(got.contains(&("/run".into(), false)));
        assert_eq!(
            mounts(&serde_json::json!({})),
            Vec::<serde_json::Value>::new()
        );
    }
}
