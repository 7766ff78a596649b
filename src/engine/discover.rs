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
/// candidate; otherwise the default socket, then the other engines' sockets that exist.
pub fn candidates() -> Result<Vec<Candidate>, ConnectError> {
    if let Some(host) = env("DOCKER_HOST") {
        return Ok(vec![Candidate {
            origin: Origin::DockerHost,
            host,
        }]);
    }
    let context = match env("DOCKER_CONTEXT") {
        Some(name) => Some((Origin::ContextEnv(name.clone()), name)),
        None => current_context().map(|name| (Origin::CurrentContext(name.clone()), name)),
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

/// Whether a candidate's socket file is there at all (fallbacks are tried only if so).
pub fn socket_exists(host: &str) -> bool {
    match parse_host(host) {
        Some(Host::Unix(path)) => std::path::Path::new(path).exists(),
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

/// The docker CLI's config folder: DOCKER_CONFIG, else `~/.docker`.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| {
            // Windows keeps the docker CLI's config in %USERPROFILE%\.docker.
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .map(|h| std::path::Path::new(&h).join(".docker"))
        })
}

/// `currentContext` of config.json, when set.
fn current_context() -> Option<String> {
    let text = std::fs::read_to_string(config_dir()?.join("config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("currentContext")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
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
    v.pointer("/Endpoints/docker/Host")
        .and_then(|h| h.as_str())
        .map(str::to_string)
        .ok_or_else(|| {
            ConnectError::Address(format!(
                "{origin}: the context \"{name}\" names no docker endpoint"
            ))
        })
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
