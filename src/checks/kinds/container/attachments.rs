//! A container's networks, mounts and published ports against a `container` check: the
//! lab's own networks and volumes by the names the stack gives them, host folders in every
//! form the engine may list them in.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::compare::{Scope, at, none_or, ro_word, s};
use crate::checks::context::engine_names;
use crate::model::ContainerCheck;

pub(super) fn attachments(c: &ContainerCheck, v: &Value, scope: &Scope, p: &mut Vec<String>) {
    let (project, networks, volumes) = (scope.project, scope.networks, scope.volumes);
    let nets: Vec<String> = at(v, "/NetworkSettings/Networks")
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    // The lab's own networks are named as the stack names them; the engine prefixes them.
    let full = |n: &str| {
        if networks.iter().any(|x| x == n) {
            format!("{project}-{n}")
        } else {
            n.to_string()
        }
    };
    let on = |n: &str| {
        let names = engine_names(project, networks, n);
        nets.iter().any(|x| names.contains(x))
    };
    for n in &c.networks {
        if !on(n) {
            p.push(format!(
                "expected it to be on the network {}; it is on {}",
                full(n),
                none_or(&nets)
            ));
        }
    }
    for n in &c.not_networks {
        if on(n) {
            p.push(format!(
                "expected it not to be on the network {}; it is",
                full(n)
            ));
        }
    }
    // A container that is stopped (or not started yet) has no bound ports: what it
    // publishes when it runs is in its configuration (`-p`, or `-P` for what it exposes).
    // One that runs, or restarts, is judged by what is bound. On the host's network, or on
    // none, nothing is published.
    let stopped = matches!(
        s(v, "/State/Status").as_str(),
        "created" | "exited" | "dead"
    );
    let no_net = matches!(s(v, "/HostConfig/NetworkMode").as_str(), "host" | "none");
    let has = |ptr: &str, key: &str| {
        at(v, ptr).as_object().is_some_and(|o| {
            o.iter().any(|(k, b)| {
                k.eq_ignore_ascii_case(key) && b.as_array().is_some_and(|a| !a.is_empty())
            })
        })
    };
    let exposed = |key: &str| {
        at(v, "/Config/ExposedPorts")
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(key)))
    };
    for port in &c.ports {
        let key = port.key();
        let bound = has("/NetworkSettings/Ports", &key)
            || (stopped
                && !no_net
                && (has("/HostConfig/PortBindings", &key)
                    || (at(v, "/HostConfig/PublishAllPorts").as_bool() == Some(true)
                        && exposed(&key))));
        if !bound {
            p.push(format!(
                "expected its port {port} to be published; it is not"
            ));
        }
    }
    let mounts = crate::engine::inspect::mounts(v);
    let paths: Vec<String> = mounts.iter().map(|m| s(m, "/Destination")).collect();
    for want in &c.mounts {
        let path = crate::engine::inspect::clean_path(&want.path);
        let Some(m) = mounts.iter().find(|m| s(m, "/Destination") == path) else {
            p.push(format!(
                "expected a mount at {}; it has {}",
                want.path,
                none_or(&paths)
            ));
            continue;
        };
        let kind = s(m, "/Type");
        if let Some(want_kind) = &want.kind
            && !kind.eq_ignore_ascii_case(want_kind)
        {
            p.push(format!(
                "expected {} at {}; it is {}",
                mount_kind(want_kind),
                want.path,
                mount_kind(&kind)
            ));
        }
        if let Some(ro) = want.read_only {
            let writable = at(m, "/RW").as_bool().unwrap_or(true);
            if ro == writable {
                p.push(format!(
                    "expected the mount at {} to be {}; it is {}",
                    want.path,
                    ro_word(ro),
                    ro_word(!writable)
                ));
            }
        }
        if let Some(src) = &want.source {
            // A bind has no `Name` (not "null": that read as a volume called null).
            let name = at(m, "/Name").as_str().unwrap_or_default().to_string();
            let source = s(m, "/Source");
            // A volume of the lab's stack is named `<project>-<name>` on the engine.
            let scoped = format!("{project}-{src}");
            // `-v api-stats:/stats` makes a new, empty volume beside the lab's
            // `<project>-api-stats`: not the same data. A host folder is named by its path.
            let stack_volume = volumes.iter().any(|v| v == src);
            let matches = engine_names(project, volumes, src).contains(&name)
                || (!stack_volume
                    && host_paths(src, scope)
                        .iter()
                        .any(|p| host_forms(Path::new(&source)).contains(p)));
            if !matches {
                let from = if kind == "tmpfs" {
                    "a tmpfs (memory of the container, no source)".to_string()
                } else if name.is_empty() {
                    format!("the host folder {source}")
                } else {
                    format!("the volume {name}")
                };
                let wanted_from = if stack_volume {
                    format!("the volume {scoped}")
                } else {
                    src.to_string()
                };
                p.push(format!(
                    "expected the mount at {} to come from {wanted_from}; it comes from {from}",
                    want.path
                ));
            }
        }
    }
}

/// A host folder in the forms it may be listed in: with `.`, `..` and a trailing `/`
/// taken out as written (the client cleans `$PWD/../data/` so, without following links),
/// and with its links followed when it is there.
fn host_forms(p: &Path) -> Vec<PathBuf> {
    let mut written = PathBuf::new();
    for part in p.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                written.pop();
            }
            other => written.push(other),
        }
    }
    let mut forms = vec![written];
    if let Ok(real) = p.canonicalize()
        && !forms.contains(&real)
    {
        forms.push(real);
    }
    forms
}

/// The folders a check's `source` may mean, in every form: an absolute path itself; a
/// relative one (`./data`) in the workspace or in the lab folder. A name without `/` is a
/// volume's.
fn host_paths(src: &str, scope: &Scope) -> Vec<PathBuf> {
    let p = Path::new(src);
    let places = if p.is_absolute() {
        vec![p.to_path_buf()]
    } else if src.contains('/') || src == "." || src == ".." {
        vec![scope.workspace.join(p), scope.lab_dir.join(p)]
    } else {
        Vec::new()
    };
    places.iter().flat_map(|p| host_forms(p)).collect()
}

/// `volume`, `bind`, `tmpfs` as a sentence says them.
fn mount_kind(kind: &str) -> String {
    match kind.to_ascii_lowercase().as_str() {
        "volume" => "a volume".into(),
        "bind" => "a bind mount (a host folder)".into(),
        "tmpfs" => "a tmpfs".into(),
        "" => "a mount of unknown type".into(),
        other => format!("a mount of type {other}"),
    }
}
