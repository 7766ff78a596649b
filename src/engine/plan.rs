//! A lab's stack as a plan: the images, networks, volumes and containers to make, each
//! with its engine name, labels and create body; containers in dependency levels.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, HostConfigLogConfig,
    NetworkingConfig, PortBinding, RestartPolicy as EngineRestart, RestartPolicyNameEnum,
};
use sha2::{Digest, Sha256};

use super::error::EngineError;
use super::labels;
use crate::model::{
    CommandLine, DependencyCondition, HealthTest, Lab, MountKind, Protocol, PullPolicy,
    RestartPolicy, Service,
};

/// Everything `lab start` will make for one lab in one project.
#[derive(Debug, Clone)]
pub struct Plan {
    pub course: String,
    pub lab: String,
    pub project: String,
    pub lab_dir: PathBuf,
    pub images: Vec<ImagePlan>,
    pub networks: Vec<NetworkPlan>,
    pub volumes: Vec<VolumePlan>,
    pub containers: Vec<ContainerPlan>,
    /// Indices into `containers`, level by level: a level starts when the one before is ready.
    pub levels: Vec<Vec<usize>>,
}

#[derive(Debug, Clone)]
pub struct ImagePlan {
    pub name: String,
    pub pull_policy: PullPolicy,
    pub build: Option<BuildPlan>,
}

#[derive(Debug, Clone)]
pub struct BuildPlan {
    pub service: String,
    pub context: PathBuf,
    pub dockerfile: String,
    pub args: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct NetworkPlan {
    pub name: String,
    pub driver: Option<String>,
    pub internal: bool,
    pub labels: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct VolumePlan {
    pub name: String,
    pub driver: Option<String>,
    pub labels: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct ContainerPlan {
    pub service: String,
    pub name: String,
    pub body: ContainerCreateBody,
    /// Networks beyond the first (API 1.41 takes one at create): name and aliases.
    pub extra_networks: Vec<(String, Vec<String>)>,
    /// Of the create body and networks: a change means the container is recreated.
    pub hash: String,
    pub depends_on: Vec<(usize, DependencyCondition)>,
    /// What dependents wait for before they start.
    pub ready_when: Readiness,
    /// How long `lab stop` lets it shut down (stop_grace_period), when set.
    pub stop_grace: Option<std::time::Duration>,
}

/// The strongest condition any dependent asks of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Readiness {
    Started,
    Healthy,
    Completed,
}

/// The engine name of a stack resource.
pub fn scoped(project: &str, name: &str) -> String {
    format!("{project}-{name}")
}

/// Plan a lab's stack. `env` is the environment values without a value in the stack take.
pub fn plan(lab: &Lab, course: &str, project: &str) -> Result<Plan, EngineError> {
    let stack = lab.stack.clone().unwrap_or_default();
    let base_labels = |extra: &[(&str, &str)]| -> HashMap<String, String> {
        let mut l = HashMap::new();
        l.insert(labels::COURSE.to_string(), course.to_string());
        l.insert(labels::LAB.to_string(), lab.id.clone());
        l.insert(labels::PROJECT.to_string(), project.to_string());
        for (k, v) in extra {
            l.insert(k.to_string(), v.to_string());
        }
        l
    };

    let needs_default = stack
        .services
        .iter()
        .any(|s| s.networks.is_empty() && s.network_mode.is_none())
        || stack
            .services
            .iter()
            .any(|s| s.networks.iter().any(|n| n.name == "default"));
    let mut networks = Vec::new();
    if needs_default {
        networks.push(NetworkPlan {
            name: scoped(project, "default"),
            driver: None,
            internal: false,
            labels: base_labels(&[]),
        });
    }
    for n in &stack.networks {
        let mut l = base_labels(&[]);
        l.extend(n.labels.iter().cloned());
        networks.push(NetworkPlan {
            name: scoped(project, &n.name),
            driver: n.driver.clone(),
            internal: n.internal,
            labels: l,
        });
    }
    let volumes = stack
        .volumes
        .iter()
        .map(|v| {
            let mut l = base_labels(&[]);
            l.extend(v.labels.iter().cloned());
            VolumePlan {
                name: scoped(project, &v.name),
                driver: v.driver.clone(),
                labels: l,
            }
        })
        .collect();

    let mut images: Vec<ImagePlan> = Vec::new();
    let mut containers = Vec::new();
    for s in &stack.services {
        let image = image_name(s, &lab.id);
        if !images.iter().any(|i| i.name == image) {
            images.push(ImagePlan {
                name: image.clone(),
                pull_policy: s.pull_policy,
                build: s.build.as_ref().map(|b| BuildPlan {
                    service: s.name.clone(),
                    context: lab.dir.join(&b.context),
                    dockerfile: b.dockerfile.clone().unwrap_or_else(|| "Dockerfile".into()),
                    args: b.args.iter().cloned().collect(),
                }),
            });
        }
        let mut l = base_labels(&[(labels::SERVICE, &s.name)]);
        l.extend(s.labels.iter().cloned());
        if let Some(g) = s.stop_grace_period {
            l.insert(
                labels::STOP_GRACE.to_string(),
                g.0.as_secs().max(1).to_string(),
            );
        }
        let (body, extra_networks) = create_body(s, &image, project, &lab.dir, l)?;
        let hash = config_hash(&body, &extra_networks);
        let mut body = body;
        if let Some(l) = body.labels.as_mut() {
            l.insert(labels::CONFIG_HASH.to_string(), hash.clone());
        }
        containers.push(ContainerPlan {
            service: s.name.clone(),
            name: s
                .container_name
                .clone()
                .unwrap_or_else(|| scoped(project, &s.name)),
            body,
            extra_networks,
            hash,
            depends_on: Vec::new(),
            ready_when: Readiness::Started,
            stop_grace: s.stop_grace_period.map(|d| d.0),
        });
    }
    // Dependencies by index, and what each service must reach before its dependents start.
    let index: BTreeMap<&str, usize> = stack
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    for (i, s) in stack.services.iter().enumerate() {
        for d in &s.depends_on {
            let Some(&j) = index.get(d.service.as_str()) else {
                continue;
            };
            containers[i].depends_on.push((j, d.condition));
            let want = match d.condition {
                DependencyCondition::ServiceStarted => Readiness::Started,
                DependencyCondition::ServiceHealthy => Readiness::Healthy,
                DependencyCondition::ServiceCompletedSuccessfully => Readiness::Completed,
            };
            containers[j].ready_when = containers[j].ready_when.max(want);
        }
    }
    let levels = levels(&containers);
    Ok(Plan {
        course: course.to_string(),
        lab: lab.id.clone(),
        project: project.to_string(),
        lab_dir: lab.dir.clone(),
        images,
        networks,
        volumes,
        containers,
        levels,
    })
}

/// Compose's naming: the image given, else `<lab>-<service>` for a build.
fn image_name(s: &Service, lab: &str) -> String {
    match (&s.image, &s.build) {
        (Some(i), _) => i.clone(),
        (None, _) => format!("{lab}-{}:lab", s.name),
    }
}

/// Level of a service = 1 + the highest level of what it depends on. The loader rejected
/// cycles, so this terminates; a guard keeps it total anyway.
fn levels(containers: &[ContainerPlan]) -> Vec<Vec<usize>> {
    let n = containers.len();
    let mut level = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for i in 0..n {
            let want = containers[i]
                .depends_on
                .iter()
                .map(|(j, _)| level[*j] + 1)
                .max()
                .unwrap_or(0);
            if want > level[i] && want <= n {
                level[i] = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let top = level.iter().copied().max().unwrap_or(0);
    (0..=top)
        .map(|l| (0..n).filter(|i| level[*i] == l).collect::<Vec<_>>())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .collect()
}

/// A hash of what makes the container what it is. Maps (labels, env, ports) are hashed in
/// sorted order: HashMap order differs from one run of `lab` to the next.
fn config_hash(body: &ContainerCreateBody, extra: &[(String, Vec<String>)]) -> String {
    let mut h = Sha256::new();
    let value = serde_json::to_value(body).unwrap_or_default();
    h.update(canonical(&value).as_bytes());
    h.update(serde_json::to_vec(extra).unwrap_or_default());
    hex::encode(&h.finalize()[..8])
}

fn canonical(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .iter()
                .map(|k| format!("{:?}:{}", k, canonical(&m[*k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

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
fn create_body(
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
