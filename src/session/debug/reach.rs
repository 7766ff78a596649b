//! Who a container should reach (its dependencies, the containers on its networks) and
//! whether it does: each name looked up and each exposed port connected to from inside its
//! network, in one probe.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::Debugged;
use crate::engine::control::HelperSpec;
use crate::engine::{Engine, EngineError, find, inspect, labels, probe};

/// At most this many peers are tried (a crowded default bridge should not stall a debug).
const MAX_PEERS: usize = 12;

/// A dependency or a peer, and what was found from inside.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Peer {
    /// The name looked up from inside: its service name where that is an alias, else its
    /// container's name.
    pub name: String,
    /// Its container (`None`: a dependency with no container).
    pub container: Option<String>,
    /// The lab says the container depends on it.
    pub dependency: bool,
    /// Its networks, and those it shares with the container.
    pub networks: Vec<String>,
    pub shared_networks: Vec<String>,
    /// Its container's state and last exit code (running, exited, …).
    pub state: String,
    pub exit_code: i64,
    /// Whether the name resolved (`None`: not tried).
    pub resolves: Option<bool>,
    pub addresses: Vec<String>,
    pub ports: Vec<PortReach>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PortReach {
    pub port: u16,
    /// Whether a TCP connection opened (`None`: not tried).
    pub open: Option<bool>,
}

/// Try each peer's name and ports from inside the container's network, in one probe.
pub async fn look(
    engine: &Engine,
    d: &Debugged,
    peers: &mut [Peer],
    helper: &HelperSpec<'_>,
) -> Result<(), EngineError> {
    // Only running peers it shares a network with can answer.
    let tried: Vec<usize> = (0..peers.len())
        .filter(|i| peers[*i].state == "running" && !peers[*i].shared_networks.is_empty())
        .collect();
    if tried.is_empty() {
        return Ok(());
    }
    let script = script(peers, &tried);
    let out = probe::from_inside(engine, &d.id, &script, helper, Duration::from_secs(40)).await?;
    read(&out.stdout, peers);
    Ok(())
}

/// One shell script for the peers `tried`: a marker line before each step, its exit
/// code after.
fn script(peers: &[Peer], tried: &[usize]) -> String {
    let mut s = String::from("m() { echo \"@@ $*\"; }\n");
    for &i in tried {
        let p = &peers[i];
        let name = shell_words::quote(&p.name);
        // On the default bridge names do not resolve: ports are tried by address.
        let by_name = p.shared_networks != ["bridge"];
        let host = if by_name {
            name.to_string()
        } else {
            p.addresses
                .first()
                .cloned()
                .unwrap_or_else(|| name.to_string())
        };
        if by_name {
            s.push_str(&format!("m dns {i}; nslookup {name} 2>&1; m rc $?\n"));
        }
        for (j, port) in p.ports.iter().enumerate() {
            s.push_str(&format!(
                "m tcp {i} {j}; echo | nc -w 2 {host} {} >/dev/null 2>&1; m rc $?\n",
                port.port
            ));
        }
    }
    s
}

/// Fill in what the probe found.
fn read(output: &str, peers: &mut [Peer]) {
    let mut step: Option<Vec<String>> = None;
    let mut text = String::new();
    for line in output.lines() {
        let Some(marker) = line.strip_prefix("@@ ") else {
            text.push_str(line);
            text.push('\n');
            continue;
        };
        let words: Vec<String> = marker.split_whitespace().map(str::to_string).collect();
        if words.first().map(String::as_str) == Some("rc") {
            let ok = words.get(1).map(String::as_str) == Some("0");
            let at = |k: usize| {
                step.as_ref()
                    .and_then(|s| s.get(k))
                    .and_then(|w| w.parse::<usize>().ok())
            };
            match step.as_ref().and_then(|s| s.first()).map(String::as_str) {
                Some("dns") => {
                    if let Some(p) = at(1).and_then(|i| peers.get_mut(i)) {
                        let found = crate::checks::kinds::dns::answers(&text);
                        p.resolves = Some(ok && !found.is_empty());
                        if ok && !found.is_empty() {
                            p.addresses = found;
                        }
                    }
                }
                Some("tcp") => {
                    if let (Some(i), Some(j)) = (at(1), at(2))
                        && let Some(port) = peers.get_mut(i).and_then(|p| p.ports.get_mut(j))
                    {
                        port.open = Some(ok);
                    }
                }
                _ => {}
            }
            step = None;
        } else {
            step = Some(words);
        }
        text.clear();
    }
}

/// Its dependencies first, then the other containers on its networks.
pub async fn peers(
    engine: &Engine,
    d: &Debugged,
    deps: &[String],
) -> Result<Vec<Peer>, EngineError> {
    let mine: BTreeSet<&str> = d.networks.iter().map(|n| n.name.as_str()).collect();
    let mut ids: Vec<(String, bool)> = Vec::new();
    let project = &d.project;
    let mut out = Vec::new();
    for dep in deps {
        let found = match &project {
            Some(p) => find::service(engine, p, dep).await?,
            None => None,
        };
        match found {
            Some(f) => ids.push((f.id, true)),
            None => out.push(Peer {
                name: dep.clone(),
                dependency: true,
                ..Peer::default()
            }),
        }
    }
    // `none` and `host` are not networks containers meet on.
    for net in d
        .networks
        .iter()
        .filter(|n| n.name != "none" && n.name != "host")
    {
        let Some(v) = inspect::network(engine, &net.name).await? else {
            continue;
        };
        if let Some(cs) = v.pointer("/Containers").and_then(Value::as_object) {
            for id in cs.keys() {
                if *id != d.id && !ids.iter().any(|(i, _)| i == id) {
                    ids.push((id.clone(), false));
                }
            }
        }
    }
    for (id, dependency) in ids.into_iter().take(MAX_PEERS) {
        let Some(v) = inspect::container(engine, &id).await? else {
            continue;
        };
        if label(&v, crate::engine::control::HELPER).is_some() {
            continue;
        }
        out.push(peer(&v, dependency, &mine));
    }
    Ok(out)
}

fn peer(v: &Value, dependency: bool, mine: &BTreeSet<&str>) -> Peer {
    let container = v
        .pointer("/Name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string();
    let nets = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let networks: Vec<String> = nets.keys().cloned().collect();
    let shared: Vec<String> = networks
        .iter()
        .filter(|n| mine.contains(n.as_str()))
        .cloned()
        .collect();
    let service = label(v, labels::SERVICE);
    // Its service name where a shared network has it as an alias: what the lab's services
    // use to find each other.
    let aliased = service.clone().filter(|svc| {
        shared.iter().any(|n| {
            nets[n]
                .pointer("/Aliases")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(svc)))
        })
    });
    let name = aliased
        .or(if shared.is_empty() { service } else { None })
        .unwrap_or_else(|| container.clone());
    let addresses = shared
        .iter()
        .filter_map(|n| nets[n].pointer("/IPAddress").and_then(Value::as_str))
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    let mut ports: Vec<u16> = v
        .pointer("/Config/ExposedPorts")
        .and_then(Value::as_object)
        .map(|p| {
            p.keys()
                .filter_map(|k| k.strip_suffix("/tcp").and_then(|n| n.parse::<u16>().ok()))
                .collect()
        })
        .unwrap_or_default();
    ports.sort_unstable();
    Peer {
        state: v
            .pointer("/State/Status")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        exit_code: v
            .pointer("/State/ExitCode")
            .and_then(Value::as_i64)
            .unwrap_or_default(),
        name,
        container: Some(container),
        dependency,
        networks,
        shared_networks: shared,
        resolves: None,
        addresses,
        ports: ports
            .into_iter()
            .map(|port| PortReach { port, open: None })
            .collect(),
    }
}

fn label(v: &Value, key: &str) -> Option<String> {
    v.pointer("/Config/Labels")
        .and_then(|l| l.get(key))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_probe() {
        let mut peers = vec![Peer {
            name: "db".into(),
            state: "running".into(),
            ports: vec![PortReach {
                port: 5432,
                open: None,
            }],
            shared_networks: vec!["back".into()],
            ..Peer::default()
        }];
        let s = script(&peers, &[0]);
        assert!(s.contains("nslookup db"), "{s}");
        let out = "@@ dns 0\nServer:\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nName:\tdb\nAddress: 172.18.0.2\n\n@@ rc 0\n@@ tcp 0 0\n@@ rc 1\n";
        read(out, &mut peers);
        assert_eq!(peers[0].resolves, Some(true));
        assert_eq!(peers[0].addresses, ["172.18.0.2"]);
        assert_eq!(peers[0].ports[0].open, Some(false));
    }
}
