//! The `yaml stack` block: the subset of the Compose Specification that lab v1 supports.

use std::path::PathBuf;

use serde::Serialize;

use super::units::{ByteSize, Dur};

/// A lab's stack: services in the order written, plus top-level networks and volumes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Stack {
    pub services: Vec<Service>,
    pub networks: Vec<NetworkDef>,
    pub volumes: Vec<VolumeDef>,
}

impl Stack {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// A command as Compose takes it: a string (split shell-style by the engine's rules, as
/// Compose does) or an exec-form list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandLine {
    Shell(String),
    Exec(Vec<String>),
}

/// One service of the stack.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Service {
    pub name: String,
    pub image: Option<String>,
    pub build: Option<Build>,
    pub command: Option<CommandLine>,
    pub entrypoint: Option<CommandLine>,
    pub environment: Vec<EnvVar>,
    /// Paths relative to the lab folder, read when the stack is applied.
    pub env_file: Vec<PathBuf>,
    pub ports: Vec<PortSpec>,
    pub expose: Vec<PortSpec>,
    /// Empty means the project's default network, as in Compose.
    pub networks: Vec<ServiceNetwork>,
    pub volumes: Vec<Mount>,
    pub healthcheck: Option<Healthcheck>,
    pub depends_on: Vec<Dependency>,
    pub restart: Option<RestartPolicy>,
    pub labels: Vec<(String, String)>,
    pub user: Option<String>,
    pub working_dir: Option<String>,
    pub read_only: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub mem_limit: Option<ByteSize>,
    /// `-1` (unlimited swap) is kept as `None` plus `memswap_unlimited`.
    pub memswap_limit: Option<ByteSize>,
    pub memswap_unlimited: bool,
    pub cpus: Option<f64>,
    pub pids_limit: Option<i64>,
    pub init: Option<bool>,
    pub stop_signal: Option<String>,
    pub stop_grace_period: Option<Dur>,
    pub logging: Option<Logging>,
    pub tty: bool,
    pub stdin_open: bool,
    pub container_name: Option<String>,
    pub hostname: Option<String>,
    pub extra_hosts: Vec<(String, String)>,
    pub pull_policy: PullPolicy,
    /// `deploy.replicas` / `scale` (v1.1): `Some(n)` makes containers `<project>-<svc>-1..n`;
    /// `None` is one container named `<project>-<svc>`, as in v1.
    pub replicas: Option<u32>,
    /// Unsafe options, accepted only with `--allow-unsafe` (see the policy).
    pub privileged: bool,
    pub network_mode: Option<String>,
    pub pid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Build {
    /// Relative to the lab folder.
    pub context: PathBuf,
    pub dockerfile: Option<String>,
    pub args: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// `None`: taken from the environment of `lab` itself, as Compose does.
    pub value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

/// `"8080"`, `"127.0.0.1:18080:80/tcp"`, `{target: 80, published: 8080}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortSpec {
    pub host_ip: Option<String>,
    /// `None`: the engine picks a free port (what parallel grading needs).
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceNetwork {
    pub name: String,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountKind {
    /// A named volume of the stack (`<project>-<name>` on the engine).
    Volume {
        name: String,
    },
    /// An anonymous volume (`- /data`).
    Anonymous,
    /// A bind mount; the source is resolved against the lab folder.
    Bind {
        source: PathBuf,
    },
    Tmpfs {
        size: Option<ByteSize>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    pub target: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthTest {
    /// `["NONE"]` or `disable: true`.
    None,
    /// `["CMD", ...]`
    Cmd(Vec<String>),
    /// `["CMD-SHELL", "..."]` or a plain string.
    CmdShell(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Healthcheck {
    /// `None` when only timings are given (the image's own test is kept).
    pub test: Option<HealthTest>,
    pub interval: Option<Dur>,
    pub timeout: Option<Dur>,
    pub retries: Option<u32>,
    pub start_period: Option<Dur>,
    pub disable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DependencyCondition {
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    pub service: String,
    pub condition: DependencyCondition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    No,
    Always,
    OnFailure { max_retries: Option<u32> },
    UnlessStopped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Logging {
    pub driver: Option<String>,
    pub options: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullPolicy {
    Always,
    Never,
    #[default]
    Missing,
    Build,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NetworkDef {
    pub name: String,
    pub driver: Option<String>,
    pub internal: bool,
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct VolumeDef {
    pub name: String,
    pub driver: Option<String>,
    pub labels: Vec<(String, String)>,
}
