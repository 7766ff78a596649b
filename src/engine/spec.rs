//! A service as the engine takes it: the Compose fields of one stack service turned into
//! a container create body (`ContainerCreateBody` with its `HostConfig`), plus the networks
//! to connect after create (API 1.41 takes one network at create).

use std::collections::HashMap;
use std::path::Path;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, HostConfigLogConfig,
    NetworkingConfig, PortBinding, RestartPolicy as EngineRestart, RestartPolicyNameEnum,
};

use super::error::EngineError;
use super::plan::scoped;
use crate::model::{CommandLine, HealthTest, MountKind, Protocol, RestartPolicy, Service};

/// Compose splits a string command like a shell does (without running one).
fn split(cmd: &CommandLine) -> Result<Vec<String>, String> {
    match cmd {
        CommandLine::Exec(v) => Ok(v.clone()),
        CommandLine::Shell(s) => {
            shell_words::split(s).map_err(|e| format!("cannot split \"{s}\": {e}"))
        }
    }
}

fn nanos(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// Read an env_file: KEY=VALUE lines; blank lines and # comments skipped.
fn env_file(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read env_file {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.strip_prefix("export ").unwrap_or(l).to_string())
        .collect())
}

/// The container's create body, and the networks to connect after create.
#[allow(clippy::type_complexity)]
pub(super) fn create_body(
    s: &Service,
    image: &str,
    project: &str,
    lab_dir: &Path,
    labels: HashMap<String, String>,
) -> Result<(ContainerCreateBody, Vec<(String, Vec<String>)>), EngineError> {
    let invalid = |m: String| EngineError::InvalidLab {
        service: s.name.clone(),
        message: m,
    };
    let mut env = Vec::new();
    for f in &s.env_file {
        env.extend(env_file(&lab_dir.join(f)).map_err(invalid)?);
    }
    for v in &s.environment {
        match &v.value {
            Some(val) => env.push(format!("{}={val}", v.name)),
            // As Compose: no value means "take it from my environment", else leave it unset.
            None => {
                if let Ok(val) = std::env::var(&v.name) {
                    env.push(format!("{}={val}", v.name));
                }
            }
        }
    }
    let mut binds = Vec::new();
    let mut tmpfs = HashMap::new();
    let mut anon = Vec::new();
    for m in &s.volumes {
        let ro = if m.read_only { ":ro" } else { "" };
        match &m.kind {
            MountKind::Volume { name } => {
                binds.push(format!("{}:{}{ro}", scoped(project, name), m.target))
            }
            MountKind::Anonymous => anon.push(m.target.clone()),
            MountKind::Bind { source } => {
                let abs = if source.is_absolute() {
                    source.clone()
                } else {
                    lab_dir.join(source)
                };
                let abs = abs
                    .canonicalize()
                    .map_err(|e| invalid(format!("bind mount source {}: {e}", abs.display())))?;
                binds.push(format!("{}:{}{ro}", abs.display(), m.target));
            }
            MountKind::Tmpfs { size } => {
                let opts = size.map(|sz| format!("size={}", sz.0)).unwrap_or_default();
                tmpfs.insert(m.target.clone(), opts);
            }
        }
    }
    let mut port_bindings = HashMap::new();
    let mut exposed = Vec::new();
    for p in &s.ports {
        let key = format!("{}/{}", p.container_port, proto(p.protocol));
        exposed.push(key.clone());
        let binding = PortBinding {
            host_ip: p.host_ip.clone(),
            host_port: Some(p.host_port.map(|h| h.to_string()).unwrap_or_default()),
        };
        port_bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(binding);
    }
    for p in &s.expose {
        exposed.push(format!("{}/{}", p.container_port, proto(p.protocol)));
    }
    let healthcheck = s.healthcheck.as_ref().map(|h| HealthConfig {
        test: if h.disable {
            Some(vec!["NONE".into()])
        } else {
            h.test.as_ref().map(|t| match t {
                HealthTest::None => vec!["NONE".into()],
                HealthTest::Cmd(v) => std::iter::once("CMD".to_string())
                    .chain(v.iter().cloned())
                    .collect(),
                HealthTest::CmdShell(c) => vec!["CMD-SHELL".into(), c.clone()],
            })
        },
        interval: h.interval.map(|d| nanos(d.0)),
        timeout: h.timeout.map(|d| nanos(d.0)),
        retries: h.retries.map(i64::from),
        start_period: h.start_period.map(|d| nanos(d.0)),
        start_interval: None,
    });
    let restart_policy = s.restart.map(|r| match r {
        RestartPolicy::No => EngineRestart {
            name: Some(RestartPolicyNameEnum::NO),
            maximum_retry_count: None,
        },
        RestartPolicy::Always => EngineRestart {
            name: Some(RestartPolicyNameEnum::ALWAYS),
            maximum_retry_count: None,
        },
        RestartPolicy::UnlessStopped => EngineRestart {
            name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
            maximum_retry_count: None,
        },
        RestartPolicy::OnFailure { max_retries } => EngineRestart {
            name: Some(RestartPolicyNameEnum::ON_FAILURE),
            maximum_retry_count: max_retries.map(i64::from),
        },
    });

    // Networks: every service is reachable by its name (an alias) on each network it joins.
    let mut nets: Vec<(String, Vec<String>)> = if s.network_mode.is_some() {
        Vec::new()
    } else if s.networks.is_empty() {
        vec![(scoped(project, "default"), vec![s.name.clone()])]
    } else {
        s.networks
            .iter()
            .map(|n| {
                let mut aliases = vec![s.name.clone()];
                aliases.extend(n.aliases.iter().cloned());
                (scoped(project, &n.name), aliases)
            })
            .collect()
    };
    let first = if nets.is_empty() {
        None
    } else {
        Some(nets.remove(0))
    };
    let networking_config = first.map(|(name, aliases)| {
        let mut endpoints = HashMap::new();
        endpoints.insert(
            name,
            EndpointSettings {
                aliases: Some(aliases),
                ..Default::default()
            },
        );
        NetworkingConfig {
            endpoints_config: Some(endpoints),
        }
    });
    let network_mode = match (&s.network_mode, &networking_config) {
        (Some(m), _) => Some(match m.strip_prefix("service:") {
            Some(svc) => format!("container:{}", scoped(project, svc)),
            None => m.clone(),
        }),
        (None, Some(c)) => c
            .endpoints_config
            .as_ref()
            .and_then(|e| e.keys().next().cloned()),
        (None, None) => None,
    };

    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: s.command.as_ref().map(split).transpose().map_err(invalid)?,
        entrypoint: s
            .entrypoint
            .as_ref()
            .map(split)
            .transpose()
            .map_err(invalid)?,
        env: (!env.is_empty()).then_some(env),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        labels: Some(labels),
        user: s.user.clone(),
        working_dir: s.working_dir.clone(),
        tty: Some(s.tty),
        open_stdin: Some(s.stdin_open),
        stop_signal: s.stop_signal.clone(),
        stop_timeout: s.stop_grace_period.map(|d| d.0.as_secs() as i64),
        hostname: s.hostname.clone(),
        healthcheck,
        volumes: (!anon.is_empty()).then_some(anon),
        host_config: Some(HostConfig {
            binds: (!binds.is_empty()).then_some(binds),
            tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
            port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
            restart_policy,
            readonly_rootfs: Some(s.read_only),
            cap_add: (!s.cap_add.is_empty()).then(|| s.cap_add.clone()),
            cap_drop: (!s.cap_drop.is_empty()).then(|| s.cap_drop.clone()),
            security_opt: (!s.security_opt.is_empty()).then(|| s.security_opt.clone()),
            memory: s.mem_limit.map(|m| m.0 as i64),
            memory_swap: if s.memswap_unlimited {
                Some(-1)
            } else {
                s.memswap_limit.map(|m| m.0 as i64)
            },
            nano_cpus: s.cpus.map(|c| (c * 1e9) as i64),
            pids_limit: s.pids_limit,
            init: s.init,
            log_config: s.logging.as_ref().map(|l| HostConfigLogConfig {
                typ: l.driver.clone(),
                config: (!l.options.is_empty()).then(|| l.options.iter().cloned().collect()),
            }),
            extra_hosts: (!s.extra_hosts.is_empty()).then(|| {
                s.extra_hosts
                    .iter()
                    .map(|(h, ip)| format!("{h}:{ip}"))
                    .collect()
            }),
            privileged: Some(s.privileged),
            network_mode,
            pid_mode: s.pid.clone(),
            ..Default::default()
        }),
        networking_config,
        ..Default::default()
    };
    Ok((body, nets))
}

fn proto(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::{Dur, Healthcheck, PortSpec, ServiceNetwork};

    fn body(s: &Service) -> (ContainerCreateBody, Vec<(String, Vec<String>)>) {
        create_body(
            s,
            "busybox:1.36",
            "p",
            Path::new("/nonexistent"),
            HashMap::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_string_command_is_split_like_compose_does() {
        let s = Service {
            name: "migrate".into(),
            command: Some(CommandLine::Shell(
                "sh -c 'echo | nc -w 1 db 5432 && echo migrated'".into(),
            )),
            ..Default::default()
        };
        assert_eq!(
            body(&s).0.cmd,
            Some(vec![
                "sh".to_string(),
                "-c".into(),
                "echo | nc -w 1 db 5432 && echo migrated".into()
            ])
        );
        let bad = Service {
            command: Some(CommandLine::Shell("echo 'unclosed".into())),
            ..s
        };
        let err = create_body(&bad, "i", "p", Path::new("/"), HashMap::new())
            .expect_err("unbalanced quote");
        assert!(err.to_string().contains("migrate"), "{err}");
    }

    #[test]
    fn service_name_is_an_alias_on_every_network_and_the_first_goes_at_create() {
        let s = Service {
            name: "app".into(),
            networks: vec![
                ServiceNetwork {
                    name: "front".into(),
                    aliases: vec![],
                },
                ServiceNetwork {
                    name: "back".into(),
                    aliases: vec!["application".into()],
                },
            ],
            ..Default::default()
        };
        let (b, extra) = body(&s);
        let endpoints = b
            .networking_config
            .and_then(|n| n.endpoints_config)
            .unwrap_or_default();
        assert_eq!(endpoints.len(), 1, "API 1.41 takes one network at create");
        assert_eq!(
            endpoints.get("p-front").and_then(|e| e.aliases.clone()),
            Some(vec!["app".to_string()])
        );
        assert_eq!(
            extra,
            vec![(
                "p-back".to_string(),
                vec!["app".to_string(), "application".into()]
            )]
        );
        // No networks listed: the project's default network.
        let (b, extra) = body(&Service {
            name: "db".into(),
            ..Default::default()
        });
        assert!(extra.is_empty());
        assert!(
            b.networking_config
                .and_then(|n| n.endpoints_config)
                .is_some_and(|e| e.contains_key("p-default"))
        );
    }

    #[test]
    fn durations_are_nanoseconds_and_a_port_without_host_port_is_ephemeral() {
        let s = Service {
            name: "web".into(),
            healthcheck: Some(Healthcheck {
                test: Some(HealthTest::CmdShell("true".into())),
                interval: Some(Dur(Duration::from_millis(1500))),
                timeout: None,
                retries: Some(3),
                start_period: None,
                disable: false,
            }),
            ports: vec![PortSpec {
                host_ip: None,
                host_port: None,
                container_port: 80,
                protocol: Protocol::Tcp,
            }],
            ..Default::default()
        };
        let b = body(&s).0;
        let h = b.healthcheck.expect("healthcheck");
        assert_eq!(h.interval, Some(1_500_000_000));
        assert_eq!(
            h.test,
            Some(vec!["CMD-SHELL".to_string(), "true".to_string()])
        );
        let bindings = b
            .host_config
            .and_then(|h| h.port_bindings)
            .and_then(|p| p.get("80/tcp").cloned().flatten())
            .expect("binding");
        assert_eq!(bindings[0].host_port.as_deref(), Some(""));
    }
}
