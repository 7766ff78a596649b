//! From the figures to a few sentences: what is wrong, most important first, in the words
//! of the guide's troubleshooting section. A pure function of what was found.

use super::Debugged;

const MIB: f64 = (1u64 << 20) as f64;

pub fn diagnose(d: &Debugged) -> Vec<String> {
    let mut out = Vec::new();
    let limit = d.memory_limit.map(|m| format!("{:.0} MiB", m as f64 / MIB));
    let last_log = match &d.last_error {
        Some(e) => format!(": its last error line says \"{e}\""),
        None => d
            .logs
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| format!(": the last log line says \"{}\"", l.trim()))
            .unwrap_or_default(),
    };
    let looping = d.state == "restarting" || (d.restart_count > 0 && d.state != "running");
    match d.state.as_str() {
        "exited" | "dead" | "restarting" => {
            let code = d.exit_code;
            if !d.error.is_empty() {
                out.push(format!("it could not start: {}", d.error));
            } else if d.oom_killed {
                out.push(format!(
                    "exited {code} and OOMKilled: the memory limit ({}) is too low for what it runs",
                    limit.clone().unwrap_or_else(|| "the machine's memory".into())
                ));
            } else {
                out.push(match code {
                    0 => "exited 0: its command finished; a service's main process must keep running in the foreground".to_string(),
                    137 => "exited 137 (SIGKILL) without running out of memory: it was killed (`docker kill`, or a stop that outlasted its grace period)".to_string(),
                    143 => "exited 143 (SIGTERM): it was stopped".to_string(),
                    126 => format!("exited 126: its command could not be executed (not executable, or a folder){last_log}"),
                    127 => format!("exited 127: its command was not found in the image{last_log}"),
                    n => format!("exited {n}: the program failed{last_log}"),
                });
            }
            if looping {
                out.push(format!(
                    "restarted {} time{} by its restart policy ({}): it fails every time it starts",
                    d.restart_count,
                    if d.restart_count == 1 { "" } else { "s" },
                    d.restart_policy
                ));
            }
        }
        "created" => out.push("created but never started (`docker start`, or `lab start`)".into()),
        "paused" => out.push("paused: its processes are frozen (`docker unpause`)".into()),
        _ => {}
    }
    if let Some(h) = &d.health
        && h.status == "unhealthy"
    {
        let last = h
            .log
            .last()
            .map(|r| {
                let said = r.output.lines().last().unwrap_or("").trim();
                if said.is_empty() {
                    format!("; the last run exited {} and printed nothing", r.exit_code)
                } else {
                    format!("; the last run exited {} and said \"{said}\"", r.exit_code)
                }
            })
            .unwrap_or_default();
        out.push(format!(
            "unhealthy: its health check failed {} time{} in a row{last}",
            h.failing_streak,
            if h.failing_streak == 1 { "" } else { "s" }
        ));
    }
    // A dependency that is down, or on no shared network, is a fact of the set-up whatever
    // this container's state: often the very reason it crashes at start.
    let running = d.state == "running";
    let cut_off = d.network_mode == "none";
    let joined = d.network_mode.starts_with("container:") || d.network_mode == "host";
    for p in &d.peers {
        let what = if p.dependency {
            "its dependency"
        } else {
            "peer"
        };
        if p.container.is_none() {
            out.push(format!("{what} {} has no container: start it", p.name));
        } else if p.state != "running" {
            out.push(format!(
                "{what} {} is {}{}: `lab debug {}` says why",
                p.name,
                p.state,
                if matches!(p.state.as_str(), "exited" | "dead") {
                    format!(" ({})", p.exit_code)
                } else {
                    String::new()
                },
                p.container.as_deref().unwrap_or(&p.name)
            ));
        } else if cut_off || joined {
            // Its network is another's, or none: peers are not told apart here.
        } else if p.shared_networks.is_empty() {
            out.push(format!(
                "cannot reach {what} {}: they share no network ({} is on {}; {} on {})",
                p.name,
                d.container,
                names(d.networks.iter().map(|n| n.name.as_str())),
                p.name,
                names(p.networks.iter().map(String::as_str))
            ));
        } else if running && p.resolves == Some(false) {
            out.push(format!(
                "{what} {} does not resolve from inside (shared network{} {})",
                p.name,
                if p.shared_networks.len() == 1 {
                    ""
                } else {
                    "s"
                },
                names(p.shared_networks.iter().map(String::as_str))
            ));
        } else if running {
            for port in p.ports.iter().filter(|x| x.open == Some(false)) {
                out.push(if p.resolves == Some(true) {
                    format!(
                        "{what} {} resolves, but its port {} does not accept connections: nothing listens there",
                        p.name, port.port
                    )
                } else {
                    format!(
                        "{what} {}'s port {} does not accept connections",
                        p.name, port.port
                    )
                });
            }
        }
    }
    if running && d.restart_count > 0 {
        out.push(format!(
            "restarted {} time{} by its restart policy ({}); it runs now, and last exited {}",
            d.restart_count,
            if d.restart_count == 1 { "" } else { "s" },
            d.restart_policy,
            d.exit_code
        ));
    }
    if running {
        if d.network_mode == "none" {
            out.push(
                "on no network (network_mode: none): it cannot reach other containers, nor they it"
                    .into(),
            );
        }
        if let Some(u) = &d.usage
            && let Some(lim) = d.memory_limit
            && u.memory as f64 >= 0.9 * lim as f64
        {
            out.push(format!(
                "memory at {:.0}% of its limit ({}): close to being OOM-killed",
                u.memory as f64 * 100.0 / lim as f64,
                limit.clone().unwrap_or_default()
            ));
        }
        if let Some(u) = &d.usage
            && let Some(c) = d.cpus
            && u.cpu_percent >= 90.0 * c
        {
            out.push(format!("CPU at its limit ({c} CPU): it is being throttled"));
        }
    }
    if out.is_empty() {
        let health = match d.health.as_ref().map(|h| h.status.as_str()) {
            Some("healthy") => ", healthy",
            Some("starting") => ", its health check not yet passed",
            _ => "",
        };
        let peers = if d.peers.is_empty() {
            String::new()
        } else {
            ", and reaches every peer it was tried on".to_string()
        };
        out.push(format!("{}{health}{peers}: nothing wrong found", d.state));
    }
    out
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "no network".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oom_kill_blames_the_limit() {
        let d = Debugged {
            state: "exited".into(),
            exit_code: 137,
            oom_killed: true,
            memory_limit: Some(16 << 20),
            ..Debugged::default()
        };
        assert_eq!(
            diagnose(&d),
            ["exited 137 and OOMKilled: the memory limit (16 MiB) is too low for what it runs"]
        );
    }

    #[test]
    fn a_crash_loop_names_the_dependency_it_cannot_reach() {
        let d = Debugged {
            container: "week3-orders".into(),
            state: "restarting".into(),
            exit_code: 1,
            restart_count: 2,
            restart_policy: "on-failure".into(),
            networks: vec![super::super::Network {
                name: "back".into(),
                ..Default::default()
            }],
            peers: vec![super::super::Peer {
                name: "db".into(),
                container: Some("week3-db".into()),
                state: "running".into(),
                dependency: true,
                networks: vec!["data".into()],
                ..Default::default()
            }],
            ..Debugged::default()
        };
        let why = diagnose(&d);
        assert_eq!(why[0], "exited 1: the program failed");
        assert!(why[1].starts_with("restarted 2 times"), "{why:?}");
        assert_eq!(
            why[2],
            "cannot reach its dependency db: they share no network (week3-orders is on back; db on data)"
        );
    }

    #[test]
    fn a_stopped_dependency_is_named_before_any_lookup() {
        let d = Debugged {
            state: "running".into(),
            networks: vec![super::super::Network {
                name: "back".into(),
                ..Default::default()
            }],
            peers: vec![super::super::Peer {
                name: "db".into(),
                container: Some("week3-db".into()),
                state: "exited".into(),
                exit_code: 1,
                dependency: true,
                networks: vec!["back".into()],
                shared_networks: vec!["back".into()],
                resolves: Some(false),
                ..Default::default()
            }],
            ..Debugged::default()
        };
        assert_eq!(
            diagnose(&d),
            ["its dependency db is exited (1): `lab debug week3-db` says why"]
        );
    }

    #[test]
    fn a_healthy_container_has_nothing_wrong() {
        let d = Debugged {
            state: "running".into(),
            ..Debugged::default()
        };
        assert_eq!(diagnose(&d), ["running: nothing wrong found"]);
    }
}
