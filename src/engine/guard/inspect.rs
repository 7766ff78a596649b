//! What the guard asks the engine before it lets a request through: whether a volume is
//! there already, and the mounts of the containers a request names (a body cannot say
//! what `--volumes-from NAME` brings, nor what a folder has become since a create).

use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::{Request, StatusCode};
use serde_json::Value;

use super::{Ledger, connect, full, policy, request};
use crate::platform::{OS, Os};

/// What the engine said about an object.
enum Lookup {
    Found(Value),
    /// 404: the engine does not know it (and will say so to the request itself).
    Missing,
    /// No answer the guard can read: nothing is let through on it.
    Failed(String),
}

/// Whether a volume the create's body names is on the engine already, or could not be
/// looked up (then it is not taken for the script's either).
pub async fn volume_existed(upstream: &str, body: &Value) -> bool {
    let names = request::fields(body, "Name").filter_map(Value::as_str);
    for name in names.filter(|n| !n.is_empty()) {
        if volume_exists(upstream, name).await != Some(false) {
            return true;
        }
    }
    false
}

pub async fn volume_exists(upstream: &str, name: &str) -> Option<bool> {
    match get_json(upstream, &format!("/volumes/{}", encoded(name))).await {
        Lookup::Found(_) => Some(true),
        Lookup::Missing => Some(false),
        Lookup::Failed(_) => None,
    }
}

/// `--volumes-from NAME` (in a create, or an old API's start) gives the container NAME's
/// mounts, its host folders too: a container the script did not make (another course's,
/// the teacher's) may bind what the policy refuses the script itself. NAME's binds are
/// judged as they were asked for (its HostConfig, and those it got by --volumes-from in
/// turn): the sources Docker Desktop reports for them are its VM's paths, never inside the
/// workspace as the script wrote it.
pub async fn inherited_host_folders(
    upstream: &str,
    body: &Value,
    workspace: &Path,
) -> Option<String> {
    let mut todo: Vec<String> = volumes_from(body);
    let mut seen = 0;
    while let Some(entry) = todo.pop() {
        seen += 1;
        if seen > 32 {
            return Some("--volumes-from chains too long to follow".into());
        }
        // NAME, NAME:ro or NAME:rw; the engine takes a name with its leading / too.
        let name = entry
            .split_once(':')
            .map_or(entry.as_str(), |(n, _)| n)
            .trim_start_matches('/')
            .to_string();
        match get_json(upstream, &format!("/containers/{}/json", encoded(&name))).await {
            Lookup::Missing => {}
            Lookup::Failed(e) => {
                return Some(format!(
                    "--volumes-from {name}, whose mounts could not be looked at ({e})"
                ));
            }
            Lookup::Found(found) => {
                let own = request::fields(&found, "HostConfig")
                    .find_map(|hc| policy::host_folders(hc, workspace));
                if let Some(why) = own {
                    return Some(format!("{why}, through --volumes-from {name}"));
                }
                todo.extend(volumes_from(&found));
            }
        }
    }
    None
}

/// The containers a create body (or an inspected container) takes volumes from.
fn volumes_from(v: &Value) -> Vec<String> {
    std::iter::once(v)
        .chain(request::fields(v, "HostConfig"))
        .flat_map(|hc| request::fields(hc, "VolumesFrom"))
        .flat_map(policy::entries)
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// A container the script made, about to (re)start: its bind sources judged again as the
/// engine will resolve them now, so a folder swapped for a link since the create is
/// caught (a swap in the moment between this look and the engine's mount is not; nor a
/// restart the engine does by itself, for a restart policy). The lab's own containers are
/// not the script's to judge: their binds are the lab's.
pub async fn judged_again(
    upstream: &str,
    ledger: &Arc<Mutex<Ledger>>,
    id: &str,
    workspace: &Path,
) -> Option<String> {
    // Docker Desktop on Windows reports a folder as its VM sees it: the create's judgment
    // stands there.
    if OS == Os::Windows {
        return None;
    }
    let found = match get_json(upstream, &format!("/containers/{}/json", encoded(id))).await {
        Lookup::Found(v) => v,
        Lookup::Missing => return None,
        Lookup::Failed(e) => {
            return Some(format!(
                "starting {id}, whose mounts could not be looked at ({e})"
            ));
        }
    };
    let Some(full_id) = found.get("Id").and_then(Value::as_str) else {
        return Some(format!(
            "starting {id}, which the engine showed without an id"
        ));
    };
    // A lock poisoned by a panic elsewhere still holds the ledger.
    let mine = match ledger.lock() {
        Ok(l) => l.containers.iter().any(|c| c == full_id),
        Err(e) => e.into_inner().containers.iter().any(|c| c == full_id),
    };
    if !mine {
        return None;
    }
    // As asked for (HostConfig): the sources in the inspect's Mounts are the engine's,
    // another path under Docker Desktop (WSL included).
    request::fields(&found, "HostConfig").find_map(|hc| policy::host_folders(hc, workspace))
}

fn encoded(name: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    utf8_percent_encode(name, NON_ALPHANUMERIC).to_string()
}

/// A GET's JSON answer.
async fn get_json(upstream: &str, path: &str) -> Lookup {
    let req = match Request::get(path)
        .header(hyper::header::HOST, "docker")
        .body(full(Bytes::new()))
    {
        Ok(r) => r,
        Err(e) => return Lookup::Failed(e.to_string()),
    };
    let resp = match connect(upstream).await {
        Ok(mut s) => s.send_request(req).await,
        Err(e) => return Lookup::Failed(format!("the engine: {e}")),
    };
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return Lookup::Failed(format!("the engine: {e}")),
    };
    match resp.status() {
        StatusCode::OK => {}
        // Not there, or a name it cannot take (an ambiguous id prefix): the request that
        // names it gets the same answer from the engine itself.
        s if s.is_client_error() => return Lookup::Missing,
        s => return Lookup::Failed(format!("the engine answered {s}")),
    }
    match Limited::new(resp.into_body(), 64 << 20).collect().await {
        Ok(b) => match serde_json::from_slice(&b.to_bytes()) {
            Ok(v) => Lookup::Found(v),
            Err(e) => Lookup::Failed(format!("not JSON: {e}")),
        },
        Err(e) => Lookup::Failed(format!("reading the answer: {e}")),
    }
}
