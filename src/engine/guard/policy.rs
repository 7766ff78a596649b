//! What a submission's script may ask the engine for. A script is the student's code: it
//! may run, build, network and store what a lab asks, but not escape to the host (a
//! privileged container, the host's namespaces, its files outside the workspace, the
//! engine's socket, added capabilities or devices) nor reach beyond the engine's basics.

use std::path::Path;

use serde_json::Value;

use super::paths::{bind_source, host_path, inside};
use crate::platform::OS;

/// Why a request is refused, for the student's row; `None`: allowed.
pub fn refuse(
    method: &str,
    path: &str,
    query: &str,
    body: &Value,
    workspace: &Path,
) -> Option<String> {
    if method != "POST" {
        return None;
    }
    if path == "/containers/create" {
        return container(body.get("HostConfig").unwrap_or(&Value::Null), workspace);
    }
    if path.starts_with("/exec/") || path.ends_with("/exec") {
        if body.get("Privileged").and_then(Value::as_bool) == Some(true) {
            return Some("a privileged exec (docker exec --privileged)".into());
        }
        return None;
    }
    if path == "/volumes/create" {
        let opts = body.get("DriverOpts").and_then(Value::as_object);
        if opts.is_some_and(|o| o.contains_key("device") || o.contains_key("o")) {
            return Some("a volume backed by a host folder or device (--opt device=…)".into());
        }
        return None;
    }
    if path == "/build" {
        let host_net = query.split('&').any(|kv| kv == "networkmode=host");
        return host_net.then(|| "a build on the host's network (--network host)".into());
    }
    for (prefix, what) in [
        ("/plugins", "installing engine plugins"),
        ("/swarm", "changing the engine's swarm"),
        ("/services", "swarm services"),
        ("/secrets", "swarm secrets"),
        ("/configs", "swarm configs"),
        ("/nodes", "swarm nodes"),
    ] {
        if path.starts_with(prefix) {
            return Some(what.into());
        }
    }
    None
}

fn container(hc: &Value, workspace: &Path) -> Option<String> {
    let s = |k: &str| hc.get(k).and_then(Value::as_str).unwrap_or("");
    if hc.get("Privileged").and_then(Value::as_bool) == Some(true) {
        return Some("a privileged container (--privileged)".into());
    }
    for (key, flag) in [
        ("NetworkMode", "--network host"),
        ("PidMode", "--pid host"),
        ("IpcMode", "--ipc host"),
        ("UTSMode", "--uts host"),
        ("UsernsMode", "--userns host"),
        ("CgroupnsMode", "--cgroupns host"),
    ] {
        if s(key) == "host" {
            return Some(format!("the host's namespaces ({flag})"));
        }
    }
    let nonempty = |k: &str| {
        hc.get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if nonempty("CapAdd") {
        return Some("added capabilities (--cap-add)".into());
    }
    if nonempty("Devices") || nonempty("DeviceRequests") {
        return Some("the host's devices (--device, --gpus)".into());
    }
    for opt in hc
        .get("SecurityOpt")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if opt.as_str().is_some_and(|o| o.contains("unconfined")) {
            return Some("switching off confinement (--security-opt …unconfined)".into());
        }
    }
    let binds = hc
        .get("Binds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|b| bind_source(OS, b));
    let mounts = hc
        .get("Mounts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| m.get("Type").and_then(Value::as_str) == Some("bind"))
        .filter_map(|m| m.get("Source").and_then(Value::as_str));
    for source in binds.chain(mounts) {
        // A volume's name is not a path; a path must be in the submission's workspace.
        if !host_path(OS, source) {
            continue;
        }
        if !inside(Path::new(source), workspace) {
            let what = if source.ends_with("docker.sock") {
                "the engine's socket"
            } else {
                "a host folder outside the submission's workspace"
            };
            return Some(format!("{what} mounted into a container (-v {source}:…)"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(hc: Value) -> Option<String> {
        let ws = std::env::temp_dir();
        refuse(
            "POST",
            "/containers/create",
            "",
            &json!({ "HostConfig": hc }),
            &ws,
        )
    }

    #[test]
    fn escapes_are_refused() {
        assert!(
            create(json!({"Privileged": true}))
                .unwrap()
                .contains("privileged")
        );
        assert!(create(json!({"NetworkMode": "host"})).is_some());
        assert!(create(json!({"PidMode": "host"})).is_some());
        assert!(create(json!({"CapAdd": ["SYS_ADMIN"]})).is_some());
        assert!(
            create(json!({"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]}))
                .unwrap()
                .contains("socket")
        );
        assert!(create(json!({"Binds": ["/:/host"]})).is_some());
        assert!(create(json!({"Mounts": [{"Type": "bind", "Source": "/etc"}]})).is_some());
        assert!(create(json!({"SecurityOpt": ["seccomp=unconfined"]})).is_some());
        let vol = json!({"DriverOpts": {"type": "none", "o": "bind", "device": "/"}});
        assert!(refuse("POST", "/volumes/create", "", &vol, Path::new("/tmp")).is_some());
        assert!(refuse("POST", "/swarm/init", "", &Value::Null, Path::new("/tmp")).is_some());
    }

    #[test]
    fn a_labs_ordinary_requests_pass() {
        assert_eq!(create(json!({})), None);
        assert_eq!(
            create(json!({"NetworkMode": "week1-net", "Binds": ["week1-data:/data"]})),
            None
        );
        assert_eq!(
            create(json!({"CapDrop": ["ALL"], "ReadonlyRootfs": true})),
            None
        );
        let ws = tempfile::tempdir().unwrap();
        let inside = format!("{}:/site", ws.path().display());
        let hc = json!({ "HostConfig": {"Binds": [inside]} });
        assert_eq!(
            refuse("POST", "/containers/create", "", &hc, ws.path()),
            None
        );
        assert_eq!(
            refuse("DELETE", "/networks/week1-net", "", &Value::Null, ws.path()),
            None
        );
        assert_eq!(
            refuse(
                "POST",
                "/build",
                "t=week1-greeter%3A1.0",
                &Value::Null,
                ws.path()
            ),
            None
        );
    }
}
