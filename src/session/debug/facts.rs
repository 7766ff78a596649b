//! A container's inspect output, read into the figures `lab debug` shows.

use serde::Serialize;
use serde_json::Value;

use super::Debugged;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Health {
    /// starting, healthy, unhealthy.
    pub status: String,
    pub failing_streak: i64,
    /// The test as configured (`CMD-SHELL …`).
    pub test: Vec<String>,
    /// The last runs, oldest first.
    pub log: Vec<HealthRun>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HealthRun {
    pub exit_code: i64,
    pub output: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Mount {
    /// bind, volume, tmpfs.
    pub kind: String,
    pub source: String,
    pub destination: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Network {
    pub name: String,
    pub ip: String,
    pub aliases: Vec<String>,
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn i(v: &Value, p: &str) -> i64 {
    v.pointer(p).and_then(Value::as_i64).unwrap_or_default()
}

fn strings(v: &Value, p: &str) -> Vec<String> {
    v.pointer(p)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn read(v: &Value) -> Debugged {
    let health = v
        .pointer("/State/Health")
        .filter(|h| !h.is_null())
        .map(|h| Health {
            status: s(h, "/Status"),
            failing_streak: i(h, "/FailingStreak"),
            test: strings(v, "/Config/Healthcheck/Test"),
            log: h
                .pointer("/Log")
                .and_then(Value::as_array)
                .map(|runs| {
                    runs.iter()
                        .map(|r| HealthRun {
                            exit_code: i(r, "/ExitCode"),
                            output: strip_ansi_escapes::strip_str(s(r, "/Output"))
                                .trim_end()
                                .to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    let mounts = crate::engine::inspect::mounts(v)
        .iter()
        .map(|m| Mount {
            kind: s(m, "/Type"),
            source: match s(m, "/Name") {
                n if n.is_empty() => s(m, "/Source"),
                n => n,
            },
            destination: s(m, "/Destination"),
            read_only: !m.pointer("/RW").and_then(Value::as_bool).unwrap_or(true),
        })
        .collect();
    let mut networks: Vec<Network> = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .map(|nets| {
            nets.iter()
                .map(|(name, n)| Network {
                    name: name.clone(),
                    ip: s(n, "/IPAddress"),
                    // The engine lists the container's short id (12 hex digits) among the
                    // aliases: noise. A service named `db` stays.
                    aliases: strings(n, "/Aliases")
                        .into_iter()
                        .filter(|a| !(a.len() == 12 && s(v, "/Id").starts_with(a.as_str())))
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    networks.sort_by(|a, b| a.name.cmp(&b.name));
    let memory = v
        .pointer("/HostConfig/Memory")
        .and_then(Value::as_u64)
        .filter(|m| *m > 0);
    let nano = v
        .pointer("/HostConfig/NanoCpus")
        .and_then(Value::as_u64)
        .filter(|c| *c > 0);
    let label = |key: &str| {
        v.pointer("/Config/Labels")
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Debugged {
        container: s(v, "/Name").trim_start_matches('/').to_string(),
        id: s(v, "/Id"),
        service: label(crate::engine::labels::SERVICE),
        project: label(crate::engine::labels::PROJECT),
        image: s(v, "/Config/Image"),
        state: s(v, "/State/Status"),
        exit_code: i(v, "/State/ExitCode"),
        error: strip_ansi_escapes::strip_str(s(v, "/State/Error")),
        oom_killed: v
            .pointer("/State/OOMKilled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        restart_count: i(v, "/RestartCount"),
        restart_policy: s(v, "/HostConfig/RestartPolicy/Name"),
        started_at: s(v, "/State/StartedAt"),
        finished_at: s(v, "/State/FinishedAt"),
        entrypoint: strings(v, "/Config/Entrypoint"),
        command: strings(v, "/Config/Cmd"),
        health,
        mounts,
        network_mode: s(v, "/HostConfig/NetworkMode"),
        networks,
        memory_limit: memory,
        cpus: nano.map(|n| n as f64 / 1e9),
        ..Debugged::default()
    }
}
