//! What the guard asks the engine before it lets a request through: whether a volume is
//! there already, and the mounts of the containers a request names (a body cannot say
//! what `--volumes-from NAME` brings, nor what a folder has become since a create).

use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::{Request, StatusCode};
use serde_json::Value;

use super::{Ledger, connect, full, paths, policy, request};
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
/// the teacher's) may bind what the policy refuses the script itself.
pub async fn inherited_host_folders(
    upstream: &str,
    body: &Value,
    workspace: &Path,
) -> Option<String> {
    let named: Vec<&str> = std::iter::once(body)
        .chain(request::fields(body, "HostConfig"))
        .flat_map(|hc| request::fields(hc, "VolumesFrom"))
        .flat_map(|v| match v {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        })
        .filter_map(Value::as_str)
        .collect();
    for entry in named {
        // NAME, NAME:ro or NAME:rw; the engine takes a name with its leading / too.
        let name = entry
            .split(':')
            .next()
            .unwrap_or(entry)
            .trim_start_matches('/');
        match get_json(upstream, &format!("/containers/{}/json", encoded(name))).await {
            Lookup::Missing => {}
            Lookup::Failed(e) => {
                return Some(format!(
                    "--volumes-from {name}, whose mounts could not be looked at ({e})"
                ));
            }
            Lookup::Found(found) => {
                if let Some(source) = bound_outside(&found, workspace) {
                    return Some(format!(
                        "another container's host folder ({source}) through --volumes-from {name}"
                    ));
                }
            }
        }
    }
    None
}

/// A container the script made, about to (re)start: its bind sources judged again as the
/// engine will resolve them now, so a folder swapped for a link since the create is
/// caught (a swap in the moment between this look and the engine's mount is not; nor a
/// restart the engine does by itself). The lab's own containers are not the script's to
/// judge: their binds are the lab's.
pub async fn judged_again(
    upstream: &str,
    ledger: &Arc<Mutex<Ledger>>,
    id: &str,
    workspace: &Path,
) -> Option<String> {
    // Docker Desktop reports a Windows folder as its VM sees it, never inside the
    // workspace as written: the create's judgment stands there.
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
    let full_id = found.get("Id").and_then(Value::as_str)?;
    let mine = ledger
        .lock()
        .map(|l| l.containers.iter().any(|c| c == full_id))
        .unwrap_or(false);
    if !mine {
        return None;
    }
    request::fields(&found, "HostConfig")
        .find_map(|hc| policy::host_folders(hc, workspace))
        .or_else(|| {
            bound_outside(&found, workspace).map(|source| {
                format!("a host folder outside the submission's workspace mounted into a container ({source})")
            })
        })
}

/// The first bind among an inspected container's mounts (its own and those it got from
/// others) whose source is outside the workspace.
fn bound_outside(found: &Value, workspace: &Path) -> Option<String> {
    let mounts = request::fields(found, "Mounts").flat_map(|m| match m {
        Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    });
    for m in mounts {
        let bind = request::fields(m, "Type")
            .filter_map(Value::as_str)
            .any(|t| t.eq_ignore_ascii_case("bind") || t.eq_ignore_ascii_case("npipe"));
        let source = request::fields(m, "Source").find_map(Value::as_str);
        if let (true, Some(source)) = (bind, source)
            && !paths::inside(Path::new(source), workspace)
        {
            return Some(source.to_string());
        }
    }
    None
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
        StatusCode::NOT_FOUND => return Lookup::Missing,
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
