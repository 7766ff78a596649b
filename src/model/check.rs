//! Checks: one per `yaml check` block, each of exactly one kind.

use serde::Serialize;

use super::action::{Action, ExecSpec};
use super::matcher::Matcher;
use super::stack::{CommandLine, Protocol};
use super::units::{ByteSize, Dur};

/// A port as checks name it: `8080` (TCP, Docker's default) or `53/udp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    pub port: u16,
    pub protocol: Protocol,
}

impl Port {
    pub fn tcp(port: u16) -> Self {
        Port {
            port,
            protocol: Protocol::Tcp,
        }
    }

    /// `tcp` or `udp`, as Docker writes it.
    pub fn protocol_name(&self) -> &'static str {
        match self.protocol {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }

    /// The engine's key for it (`8080/tcp`), as in `ExposedPorts` and `Ports`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.port, self.protocol_name())
    }
}

impl std::fmt::Display for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.protocol {
            Protocol::Tcp => write!(f, "{}", self.port),
            Protocol::Udp => write!(f, "{}/udp", self.port),
        }
    }
}

/// A TCP port is the number, as the lab wrote it; another protocol is named.
impl Serialize for Port {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.protocol {
            Protocol::Tcp => s.serialize_u16(self.port),
            _ => s.serialize_str(&self.to_string()),
        }
    }
}

/// What a check looks at (LAB_FORMAT.md §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The container of a stack service, found by labels in the lab's project.
    Service(String),
    /// One replica of a service with replicas (LAB_FORMAT §3, v1.1): `service: web,
    /// replica: 2`. Numbered from 1, as the containers are (`<project>-web-2`).
    Replica(String, u32),
    /// Any container by name (one the student created).
    Container(String),
    /// The student's machine.
    Host,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Service(s) => write!(f, "service {s}"),
            Target::Replica(s, n) => write!(f, "replica {n} of service {s}"),
            Target::Container(c) => write!(f, "container {c}"),
            Target::Host => write!(f, "the host"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub points: u32,
    pub hint: Option<String>,
    /// Per attempt; `None`: the lab's default, else 10 s.
    pub timeout: Option<Dur>,
    /// Retry until it passes or this much time has passed.
    pub eventually: Option<Dur>,
    pub starts_passing: bool,
    pub before: Vec<Action>,
    /// Actions that put back what `before:` disturbed, once the check is done (and when
    /// grading is interrupted): an extension of the format.
    pub after: Vec<Action>,
    /// Checks (of this lab) that must pass before this one is run (LAB_FORMAT §4.5).
    pub needs: Vec<String>,
    pub kind: CheckKind,
    /// Index into the lab's tasks; `None` for checks before the first `## ` heading.
    pub task: Option<usize>,
    /// Line of the block's first YAML line in README.md.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Exec(ExecCheck),
    Expect(ExpectCheck),
    Http(HttpCheck),
    Tcp(TcpCheck),
    Dns(DnsCheck),
    Container(Box<ContainerCheck>),
    Network(NetworkCheck),
    Volume(VolumeCheck),
    Image(ImageCheck),
    Logs(LogsCheck),
    File(FileCheck),
    Command(CommandCheck),
    Answer(AnswerCheck),
    Dockerfile(DockerfileCheck),
}

/// The kinds of check, as a check block names them (`exec:`, `http:`, ...): the one list of
/// kind names. The decoder's schema and messages and [`CheckKind::name`] derive from it, and
/// the matches on it are exhaustive, so a new kind makes the compiler name every place to
/// change.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::AsRefStr,
    strum::EnumString,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum KindTag {
    Exec,
    Expect,
    Http,
    Tcp,
    Dns,
    Container,
    Network,
    Volume,
    Image,
    Logs,
    File,
    Command,
    Answer,
    Dockerfile,
}

impl KindTag {
    /// Every kind, in the order the format lists them.
    pub fn all() -> impl Iterator<Item = KindTag> {
        <KindTag as strum::IntoEnumIterator>::iter()
    }

    /// The key that names this kind in a check block.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl Check {
    /// Whether it changes the environment (and so runs alone, after the checks that look).
    pub fn acts(&self) -> bool {
        !self.before.is_empty() || !self.after.is_empty()
    }
}

impl CheckKind {
    /// The container the check looks at, when it names one (`service:`/`container:`); not a
    /// peer it probes from. A runner checks every replica of a service through this.
    pub fn target_mut(&mut self) -> Option<&mut Target> {
        match self {
            CheckKind::Exec(c) => Some(&mut c.spec.target),
            CheckKind::Expect(c) => Some(&mut c.target),
            CheckKind::Http(c) => c.target.as_mut(),
            CheckKind::Container(c) => c.target.as_mut(),
            CheckKind::Logs(c) => Some(&mut c.target),
            CheckKind::File(c) => c.target.as_mut(),
            CheckKind::Answer(a) => match &mut a.expect {
                AnswerExpect::Inspect(AnswerInspect {
                    source: InspectSource::Container(t),
                    ..
                }) => Some(t),
                _ => None,
            },
            CheckKind::Tcp(_)
            | CheckKind::Dns(_)
            | CheckKind::Network(_)
            | CheckKind::Volume(_)
            | CheckKind::Image(_)
            | CheckKind::Command(_)
            | CheckKind::Dockerfile(_) => None,
        }
    }

    pub fn tag(&self) -> KindTag {
        match self {
            CheckKind::Exec(_) => KindTag::Exec,
            CheckKind::Expect(_) => KindTag::Expect,
            CheckKind::Http(_) => KindTag::Http,
            CheckKind::Tcp(_) => KindTag::Tcp,
            CheckKind::Dns(_) => KindTag::Dns,
            CheckKind::Container(_) => KindTag::Container,
            CheckKind::Network(_) => KindTag::Network,
            CheckKind::Volume(_) => KindTag::Volume,
            CheckKind::Image(_) => KindTag::Image,
            CheckKind::Logs(_) => KindTag::Logs,
            CheckKind::File(_) => KindTag::File,
            CheckKind::Command(_) => KindTag::Command,
            CheckKind::Answer(_) => KindTag::Answer,
            CheckKind::Dockerfile(_) => KindTag::Dockerfile,
        }
    }

    pub fn name(&self) -> &'static str {
        self.tag().name()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecCheck {
    pub spec: ExecSpec,
    pub exit: Matcher,
    pub stdout: Option<Matcher>,
    pub stderr: Option<Matcher>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectCheck {
    /// A container (exec with a TTY) or the host (a program under a pseudo-terminal).
    pub target: Target,
    /// The program to start: `run` (default `sh`) or, on the host, `spawn`.
    pub run: CommandLine,
    pub steps: Vec<ExpectStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectStep {
    Send(String),
    /// A regular expression, matched against output with ANSI sequences stripped.
    Expect {
        pattern: String,
        timeout: Option<Dur>,
    },
    ExpectEof {
        timeout: Option<Dur>,
    },
    /// A control character: `c` sends Ctrl-C.
    SendControl(char),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpCheck {
    /// A full URL, or built from `target` + `port` + `path`.
    pub url: Option<String>,
    pub target: Option<Target>,
    pub port: Option<u16>,
    pub path: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Run the request inside this service's network namespace.
    pub from: Option<String>,
    pub status: Matcher,
    pub expect_body: Option<Matcher>,
    pub expect_headers: Vec<(String, Matcher)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TcpCheck {
    /// A host name or address; with `service` instead, that service's published port.
    pub host: Option<String>,
    pub service: Option<String>,
    pub port: u16,
    pub from: Option<String>,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DnsCheck {
    pub name: String,
    pub from: String,
    pub resolves: bool,
    pub address: Option<Matcher>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectAssertion {
    /// A JSON pointer into the engine's inspect output.
    pub path: String,
    pub matcher: Matcher,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ContainerCheck {
    pub target: Option<Target>,
    /// `false`: the container must not exist (e.g. one removed with `--rm`).
    pub exists: bool,
    pub state: Option<String>,
    pub health: Option<String>,
    pub exit_code: Option<Matcher>,
    pub image: Option<Matcher>,
    pub labels: Vec<(String, Matcher)>,
    pub env: Vec<(String, Matcher)>,
    pub networks: Vec<String>,
    /// Networks the container must not be on.
    pub not_networks: Vec<String>,
    pub ports: Vec<Port>,
    pub mounts: Vec<MountCheck>,
    pub restart_policy: Option<String>,
    pub user: Option<Matcher>,
    pub read_only: Option<bool>,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub mem_limit: Option<ByteSize>,
    /// Memory and swap together (`--memory-swap`); equal to `mem_limit`: no swap. Left out
    /// of the serialized model when unset, so labs without it keep their digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memswap_limit: Option<ByteSize>,
    pub cpus: Option<f64>,
    pub pids_limit: Option<i64>,
    pub log_driver: Option<String>,
    /// Log driver options, compared as the driver reads them (`1m` = `1M` for sizes).
    pub log_options: Vec<(String, String)>,
    /// The stop signal, without `SIG` (`QUIT`); `QUIT`, `SIGQUIT` and `3` are the same.
    pub stop_signal: Option<String>,
    pub stop_grace_period: Option<Dur>,
    /// `true`: it runs the image's default command (no command given at `docker run`).
    pub default_command: Option<bool>,
    /// `false`: it runs as a user other than root.
    pub root: Option<bool>,
    /// `true` / `false`: its health test, run now in the container, passes / fails.
    pub health_test: Option<bool>,
    pub inspect: Vec<InspectAssertion>,
}

/// A mount a container must have: at `path`, and, when given, read-only or not, from this
/// source (a volume's name as the stack or the student names it, or a host path), of this
/// type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountCheck {
    pub path: String,
    pub read_only: Option<bool>,
    pub source: Option<String>,
    /// `volume`, `bind` or `tmpfs` (v1.1).
    /// Left out when not given: a lab's digest stays what it was before v1.1.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkCheck {
    pub name: String,
    pub exists: bool,
    pub driver: Option<String>,
    pub internal: Option<bool>,
    /// Container names (or stack services) that must be attached.
    pub containers: Vec<String>,
    pub labels: Vec<(String, Matcher)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeCheck {
    pub name: String,
    pub exists: bool,
    pub driver: Option<String>,
    pub labels: Vec<(String, Matcher)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageCheck {
    pub name: String,
    pub exists: bool,
    pub labels: Vec<(String, Matcher)>,
    pub user: Option<Matcher>,
    /// The image declares a HEALTHCHECK (true) or not (false).
    pub healthcheck: Option<bool>,
    pub exposed_ports: Vec<Port>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    Stdout,
    Stderr,
    #[default]
    Both,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogsCheck {
    pub target: Target,
    pub matcher: Matcher,
    pub stream: LogStream,
    pub tail: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileCheck {
    /// `None`: the student's workspace on the host.
    pub target: Option<Target>,
    pub path: String,
    pub exists: bool,
    pub contains: Option<Matcher>,
    pub matches: Option<String>,
    /// Permission bits, e.g. 0o644.
    pub mode: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandCheck {
    pub run: String,
    pub exit: Matcher,
    pub stdout: Option<Matcher>,
    pub stderr: Option<Matcher>,
}

/// `answer` (LAB_FORMAT §4.5): a line `key: value` in a workspace answers file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerCheck {
    /// Relative to the workspace; `answers.md` unless given.
    pub file: String,
    pub key: String,
    pub expect: AnswerExpect,
}

/// What an answer must be: exactly one of these.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerExpect {
    /// Any of these values (compared normalised; numbers as numbers).
    Equals(Vec<String>),
    /// Lowercase hex SHA-256 digests of the normalised value; any of them.
    Sha256(Vec<String>),
    /// A regular expression the value must match (ignoring case), checked at load.
    Matches(String),
    /// The value the live engine has at a JSON pointer.
    Inspect(AnswerInspect),
}

/// Where an `inspect:` answer comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerInspect {
    pub source: InspectSource,
    /// A JSON pointer; a `*` segment stands for any key or index.
    pub path: String,
    /// Any leading part of the expected value at least this long is accepted.
    pub prefix: Option<u32>,
}

/// What an answer's `inspect:` looks at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectSource {
    /// A container's inspect output (`service:` or `container:`).
    Container(Target),
    /// The engine's own information (`engine: true`, what `docker info` shows).
    Engine,
}

/// `dockerfile`: a Dockerfile in the workspace, read by a parser (LAB_FORMAT §4.6).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DockerfileCheck {
    /// Relative to the workspace.
    pub path: String,
    /// The final stage's base image, compared as an image reference.
    pub from: Option<String>,
    /// The final image has (true) or lacks (false) a CMD or ENTRYPOINT.
    pub default_command: Option<bool>,
    /// The command the image runs by default, as Docker combines ENTRYPOINT and CMD, words
    /// joined with spaces (a shell-form command alone is its text).
    pub command: Option<Matcher>,
    pub expose: Vec<Port>,
    /// The final USER; the matcher sees `root` when there is none or its user part is root
    /// (`0`, `root:root`), whatever the group (the image runs as root).
    pub user: Option<Matcher>,
    /// A HEALTHCHECK other than NONE (true) or none (false).
    pub healthcheck: Option<bool>,
    pub labels: Vec<(String, Matcher)>,
}
