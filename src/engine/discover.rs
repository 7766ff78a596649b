//! Which engine to use, in the docker CLI's order: DOCKER_HOST, then DOCKER_CONTEXT, then
//! the current context of `~/.docker/config.json`, then the default socket. Only when none
//! is configured and the default socket is absent are the sockets of other engines tried
//! (rootless Docker, Docker Desktop, Podman), so a laptop without the system engine works
//! and a configured choice is never second-guessed.

use std::fmt;
use std::path::PathBuf;

use super::connect::{ConnectError, Host, parse_host};
use crate::platform::{self, SocketKind, SocketState};

/// Where an engine address came from (what an error or `lab doctor` names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `--engine` on the command line.
    Flag,
    DockerHost,
    /// DOCKER_CONTEXT, naming a context.
    ContextEnv(String),
    /// `currentContext` of the docker CLI's config.json.
    CurrentContext(String),
    DefaultSocket,
    Other(SocketKind),
}

impl Origin {
    /// Whether the user chose this engine (then no other is tried in its place).
    pub fn configured(&self) -> bool {
        !matches!(self, Origin::DefaultSocket | Origin::Other(_))
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => write!(f, "--engine"),
            Origin::DockerHost => write!(f, "DOCKER_HOST"),
            Origin::ContextEnv(n) => write!(f, "DOCKER_CONTEXT={n}"),
            Origin::CurrentContext(n) => {
                write!(f, "the current docker context \"{n}\" (docker context use)")
            }
            Origin::DefaultSocket => write!(f, "the default socket"),
            Origin::Other(SocketKind::Rootless) => write!(f, "rootless Docker's socket"),
            Origin::Other(SocketKind::Desktop) => write!(f, "Docker Desktop's socket"),
            Origin::Other(SocketKind::Podman) => write!(f, "Podman's user socket"),
        }
    }
}

/// An engine to try: its address and why it is a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub origin: Origin,
    pub host: String,
}

/// The engines to try, in order. A configured engine (DOCKER_HOST, a context) is the only
/// candidate; otherwise the default socket, then the other engines' sockets.
pub fn candidates() -> Result<Vec<Candidate>, ConnectError> {
    if let Some(host) = env("DOCKER_HOST") {
        tls_refused(&Origin::DockerHost, &host)?;
        return Ok(vec![Candidate {
            origin: Origin::DockerHost,
            host,
        }]);
    }
    let context = match env("DOCKER_CONTEXT") {
        Some(name) => Some((Origin::ContextEnv(name.clone()), name)),
        None => current_context()?.map(|name| (Origin::CurrentContext(name.clone()), name)),
    };
    if let Some((origin, name)) = context
        && name != "default"
    {
        let host = context_host(&name, &origin)?;
        return Ok(vec![Candidate { origin, host }]);
    }
    let mut out = vec![Candidate {
        origin: Origin::DefaultSocket,
        host: platform::DEFAULT_ENGINE.to_string(),
    }];
    for (kind, path) in platform::other_sockets() {
        let scheme = if cfg!(windows) { "npipe://" } else { "unix://" };
        out.push(Candidate {
            origin: Origin::Other(kind),
            host: format!("{scheme}{}", path.display()),
        });
    }
    Ok(out)
}

/// `lab` speaks plain HTTP to TCP engines: one that wants TLS is refused with that reason
/// rather than with the engine's "HTTP request to an HTTPS server".
fn tls_refused(origin: &Origin, host: &str) -> Result<(), ConnectError> {
    let tls = env("DOCKER_TLS_VERIFY").is_some_and(|v| v != "0") || host.starts_with("https://");
    if tls && matches!(parse_host(host), Some(Host::Tcp(_)) | None) {
        return Err(ConnectError::Address(format!(
            "{origin}: {host} with TLS (DOCKER_TLS_VERIFY, certificates) is not supported; use the engine's local socket, or an SSH tunnel to it"
        )));
    }
    Ok(())
}

/// Why a local socket cannot be used, before any HTTP is spoken (`None`: it answers, or it
/// is not a local socket and only the connection can tell).
pub fn socket_problem(host: &str) -> Option<String> {
    let Some(Host::Unix(path)) = parse_host(host) else {
        return None;
    };
    match platform::probe_socket(std::path::Path::new(path)) {
        SocketState::Open => None,
        SocketState::Missing => Some(format!(
            "there is no socket at {path}: the engine is not running, or it listens elsewhere"
        )),
        SocketState::Forbidden { group } => Some(match group {
            Some(g) if g != "root" => format!(
                "permission denied on {path}: your user is not in the group `{g}` that may use it; \
                 join it with `sudo usermod -aG {g} $USER`, then log out and back in"
            ),
            _ => format!(
                "permission denied on {path}: only root may use it; run the engine rootless, or \
                 give the socket a group you are in"
            ),
        }),
        SocketState::Refused => Some(format!(
            "{path} exists but no engine answers on it: the engine is not running"
        )),
        SocketState::Other(e) => Some(format!("{path}: {e}")),
    }
}

/// Whether a candidate's socket (or named pipe) is there at all.
pub fn socket_exists(host: &str) -> bool {
    match parse_host(host) {
        Some(Host::Unix(path) | Host::Pipe(path)) => std::path::Path::new(path).exists(),
        _ => true,
    }
}

/// Whether an engine runs on this machine (a socket or a pipe), so its folders and
/// published ports are this machine's.
pub fn is_local(host: &str) -> bool {
    matches!(parse_host(host), Some(Host::Unix(_) | Host::Pipe(_)))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The docker CLI's config folder: DOCKER_CONFIG, else `.docker` in the home folder
/// (`%USERPROFILE%` on Windows, where HOME is often a shell's unix-style path).
pub fn config_dir() -> Option<PathBuf> {
    let home = if cfg!(windows) {
        std::env::var_os("USERPROFILE").or_else(|| std::env::var_os("HOME"))
    } else {
        std::env::var_os("HOME")
    };
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| home.map(|h| std::path::Path::new(&h).join(".docker")))
}

/// `currentContext` of config.json, when set. A config.json that cannot be read as JSON
/// is an error, as it is for the docker CLI (guessing the engine instead would grade the
/// wrong one).
fn current_context() -> Result<Option<String>, ConnectError> {
    let Some(path) = config_dir().map(|d| d.join("config.json")) else {
        return Ok(None);
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        ConnectError::Address(format!(
            "the docker CLI's {} is not valid JSON ({e}): fix it, or set DOCKER_HOST",
            path.display()
        ))
    })?;
    Ok(v.get("currentContext")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_string))
}

/// A context's endpoint, read from the CLI's context store
/// (`~/.docker/contexts/meta/<sha256 of the name>/meta.json`).
pub fn context_host(name: &str, origin: &Origin) -> Result<String, ConnectError> {
    use sha2::{Digest, Sha256};
    let not_found = || {
        ConnectError::Address(format!(
            "{origin}: there is no docker context \"{name}\" (`docker context ls` lists them)"
        ))
    };
    let config = config_dir().ok_or_else(not_found)?;
    let digest = hex::encode(Sha256::digest(name.as_bytes()));
    let meta = config
        .join("contexts")
        .join("meta")
        .join(digest)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta).map_err(|_| not_found())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        ConnectError::Address(format!(
            "{origin}: the context's {} is not valid JSON: {e}",
            meta.display()
        ))
    })?;
    let host = v
        .pointer("/Endpoints/docker/Host")
        .and_then(|h| h.as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            ConnectError::Address(format!(
                "{origin}: the context \"{name}\" names no docker endpoint"
            ))
        })?;
    // A context with certificates is a TLS engine.
    let tls = config
        .join("contexts")
        .join("tls")
        .join(hex::encode(Sha256::digest(name.as_bytes())));
    if tls.exists() && matches!(parse_host(&host), Some(Host::Tcp(_))) {
        return Err(ConnectError::Address(format!(
            "{origin}: the context \"{name}\" reaches {host} with TLS, which is not supported; use the engine's local socket, or an SSH tunnel to it"
        )));
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_read_as_people_say_them() {
        assert_eq!(Origin::DockerHost.to_string(), "DOCKER_HOST");
        assert_eq!(
            Origin::ContextEnv("remote".into()).to_string(),
            "DOCKER_CONTEXT=remote"
        );
        assert_eq!(
            Origin::Other(SocketKind::Podman).to_string(),
            "Podman's user socket"
        );
        assert!(Origin::CurrentContext("x".into()).configured());
        assert!(!Origin::DefaultSocket.configured());
    }

    #[cfg(unix)]
    #[test]
    fn a_missing_socket_says_so() {
        let why = socket_problem("unix:///nonexistent/lab/docker.sock").unwrap_or_default();
        assert!(why.contains("there is no socket at"), "{why}");
        assert!(!socket_exists("unix:///nonexistent/lab/docker.sock"));
        assert!(socket_problem("tcp://127.0.0.1:1").is_none());
    }
}
