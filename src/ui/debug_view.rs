//! `lab debug`'s findings for the terminal: the figures in labelled rows, the last log
//! lines, then the diagnosis.

use super::Style;
use crate::session::debug::Debugged;

const MIB: f64 = (1u64 << 20) as f64;

pub fn render(d: &Debugged, style: &Style) -> String {
    let mut out = String::new();
    let what = match (&d.service, &d.project) {
        (Some(s), Some(p)) => format!("  (service {s} of project {p})"),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{}{what}  image {}\n",
        style.bold(&d.container),
        d.image
    ));
    let mut row = |k: &str, v: String| out.push_str(&format!("  {:<10}  {v}\n", k));
    let mut state = match d.state.as_str() {
        "exited" | "dead" => format!("{} {}", d.state, d.exit_code),
        "restarting" => format!("restarting (last exit {})", d.exit_code),
        _ => d.state.clone(),
    };
    if d.oom_killed {
        state.push_str(" (OOMKilled)");
    }
    row(
        "state",
        format!(
            "{state} · {} restart{} · restart policy {}",
            d.restart_count,
            if d.restart_count == 1 { "" } else { "s" },
            if d.restart_policy.is_empty() {
                "no"
            } else {
                &d.restart_policy
            }
        ),
    );
    if !d.error.is_empty() {
        row("error", d.error.clone());
    }
    row("started", dash(&d.started_at));
    if d.state != "running" {
        row("finished", dash(&d.finished_at));
    }
    row("entrypoint", dash(&shell_words::join(&d.entrypoint)));
    row("command", dash(&shell_words::join(&d.command)));
    if let Some(h) = &d.health {
        let last = h
            .log
            .last()
            .map(|r| {
                format!(
                    " · last run exited {}: {}",
                    r.exit_code,
                    one_line(&r.output)
                )
            })
            .unwrap_or_default();
        row(
            "health",
            format!("{} ({} failing in a row){last}", h.status, h.failing_streak),
        );
        row("test", shell_words::join(&h.test));
    }
    let mounts: Vec<String> = d
        .mounts
        .iter()
        .map(|m| {
            format!(
                "{} {} → {}{}",
                m.kind,
                m.source,
                m.destination,
                if m.read_only { " (ro)" } else { "" }
            )
        })
        .collect();
    row("mounts", list(&mounts));
    let nets: Vec<String> = d
        .networks
        .iter()
        .map(|n| {
            let aliases = if n.aliases.is_empty() {
                String::new()
            } else {
                format!(" (aliases {})", n.aliases.join(", "))
            };
            format!("{} {}{aliases}", n.name, dash(&n.ip))
        })
        .collect();
    row(
        "networks",
        if d.network_mode == "none" || d.network_mode == "host" {
            format!("network_mode {}", d.network_mode)
        } else {
            list(&nets)
        },
    );
    let limits = [
        d.memory_limit
            .map(|m| format!("memory {:.0} MiB", m as f64 / MIB)),
        d.cpus.map(|c| format!("{c} CPU")),
    ];
    let limits: Vec<String> = limits.into_iter().flatten().collect();
    row(
        "limits",
        if limits.is_empty() {
            "none".into()
        } else {
            limits.join(" · ")
        },
    );
    if let Some(u) = &d.usage {
        let of = match d.memory_limit {
            Some(l) => format!(
                " of {:.0} MiB ({:.0}%)",
                l as f64 / MIB,
                u.memory as f64 * 100.0 / l as f64
            ),
            None => String::new(),
        };
        row(
            "usage",
            format!(
                "CPU {:.1}% · memory {:.1} MiB{of}",
                u.cpu_percent,
                u.memory as f64 / MIB
            ),
        );
    }
    let mut first = true;
    for p in &d.peers {
        let down = p.container.is_none() || (p.state != "running" && !p.state.is_empty());
        let mark = match (p.resolves, p.ports.iter().any(|x| x.open == Some(false))) {
            _ if down => style.red("✗"),
            (Some(false), _) | (_, true) => style.red("✗"),
            (Some(true), false) => style.green("✓"),
            (None, _) if p.shared_networks.is_empty() => style.red("✗"),
            (None, _) => style.dim("·"),
        };
        let mut line = format!("{mark} {}", p.name);
        if p.dependency {
            line.push_str(" (dependency)");
        }
        if p.state != "running" && !p.state.is_empty() && p.container.is_some() {
            line.push_str(&format!(" is {}", p.state));
        }
        match p.resolves {
            Some(true) => line.push_str(&format!(" resolves to {}", p.addresses.join(", "))),
            Some(false) => line.push_str(" does not resolve"),
            None if p.container.is_none() => line.push_str(": no container"),
            None if p.shared_networks.is_empty() => line.push_str(": shares no network"),
            None => {}
        }
        for port in &p.ports {
            match port.open {
                Some(true) => line.push_str(&format!(" · port {} open", port.port)),
                Some(false) => line.push_str(&format!(" · port {} closed", port.port)),
                None => {}
            }
        }
        row(if first { "reaches" } else { "" }, line);
        first = false;
    }
    if let Some(note) = &d.peers_note {
        row(if first { "reaches" } else { "" }, style.dim(note));
    }
    out.push_str(&format!("  logs (last {})\n", d.logs.len()));
    for l in &d.logs {
        out.push_str(&format!("    {}\n", style.dim(&format!("│ {l}"))));
    }
    out.push_str(&style.bold("diagnosis\n"));
    let fine = d.diagnosis.len() == 1 && d.diagnosis[0].ends_with("nothing wrong found");
    for line in &d.diagnosis {
        let mark = if fine {
            style.green("✓")
        } else {
            style.red("✗")
        };
        out.push_str(&format!("  {mark} {line}\n"));
    }
    out
}

fn dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join("; ")
    }
}

fn one_line(s: &str) -> String {
    let l = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    if l.is_empty() {
        "(nothing)".into()
    } else {
        format!("\"{}\"", l.trim())
    }
}
