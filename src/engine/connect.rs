//! Reaching an engine: DOCKER_HOST or the default socket (Docker Desktop's named pipe on
//! Windows), or one named on the command line (`unix://`, `npipe://`, `tcp://`, a docker
//! context); the API version negotiated. The [`Engine`]
//! handle is what every other part of `lab` holds: nothing outside `engine/` sees the
//! Docker client library.

use bollard::{API_DEFAULT_VERSION, Docker};

/// Why the engine could not be reached, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "cannot reach the Docker engine at {target}: {source}\n  {}",
        crate::platform::START_ENGINE_HINT
    )]
    Unreachable {
        target: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("{0}")]
    Address(String),
}

/// A connection to one engine (cheap to clone: one client, shared).
#[derive(Debug, Clone)]
pub struct Engine {
    pub(super) docker: Docker,
    /// Where it listens, as DOCKER_HOST spells it (for the scripts `lab` runs).
    host: String,
}

impl Engine {
    /// The client, for the modules of `engine/`.
    pub(super) fn api(&self) -> &Docker {
        &self.docker
    }

    /// Where the engine listens (`unix:///…`, `tcp://…`): what a script given this engine
    /// gets as DOCKER_HOST.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Where ports this engine publishes on all addresses are reached from here: its
    /// machine for a `tcp://` engine, this one for a local socket.
    pub fn published_host(&self) -> String {
        let rest = self
            .host
            .strip_prefix("tcp://")
            .or_else(|| self.host.strip_prefix("http://"))
            .or_else(|| self.host.strip_prefix("https://"));
        match rest {
            Some(rest) => {
                let hostport = rest.split('/').next().unwrap_or(rest);
                match hostport.rsplit_once(':') {
                    Some((h, _)) if !h.is_empty() => h.trim_matches(['[', ']']).to_string(),
                    _ => hostport.to_string(),
                }
            }
            None => "127.0.0.1".to_string(),
        }
    }
}

/// An engine address, by how it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host<'a> {
    /// `unix:///var/run/docker.sock`: the socket's path.
    Unix(&'a str),
    /// `npipe:////./pipe/docker_engine`: the pipe, as written after the scheme.
    Pipe(&'a str),
    /// `tcp://host:port` (or `http://`): `host:port`.
    Tcp(&'a str),
}

impl Host<'_> {
    /// Whether this machine can reach an engine so addressed (sockets on unix, pipes on
    /// Windows, TCP everywhere).
    pub fn reachable_on(self, os: crate::platform::Os) -> bool {
        use crate::platform::Os;
        matches!(
            (self, os),
            (Host::Tcp(_), _) | (Host::Unix(_), Os::Unix) | (Host::Pipe(_), Os::Windows)
        )
    }
}

/// Parse an engine address; `None` for schemes `lab` does not speak (ssh://, https://).
pub fn parse_host(host: &str) -> Option<Host<'_>> {
    if let Some(p) = host.strip_prefix("unix://") {
        Some(Host::Unix(p))
    } else if let Some(p) = host.strip_prefix("npipe://") {
        Some(Host::Pipe(p))
    } else {
        host.strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
            .map(Host::Tcp)
    }
}

/// Where we are about to connect, for messages.
pub fn target() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| crate::platform::DEFAULT_ENGINE.into())
}

/// Connect to DOCKER_HOST (or the default socket) and negotiate the API version (bollard
/// 0.21 does not send the version in request paths; negotiating keeps an upgrade safe).
pub async fn connect() -> Result<Engine, ConnectError> {
    let host = target();
    let unreachable = |source| ConnectError::Unreachable {
        target: host.clone(),
        source,
    };
    let docker = Docker::connect_with_defaults().map_err(unreachable)?;
    finish(docker, host.clone()).await
}

/// Connect to an engine named on the command line: `unix:///path`, `npipe:////./pipe/name`,
/// `tcp://host:port`, or the name of a docker context (`docker context ls`).
pub async fn connect_to(name: &str) -> Result<Engine, ConnectError> {
    let host = resolve(name)?;
    let unreachable = |source| ConnectError::Unreachable {
        target: name.to_string(),
        source,
    };
    let docker = match parse_host(&host) {
        Some(Host::Tcp(_)) => Docker::connect_with_http(&host, 120, API_DEFAULT_VERSION),
        // A unix socket here, a named pipe on Windows (resolve refused the other).
        _ => Docker::connect_with_local(&host, 120, API_DEFAULT_VERSION),
    }
    .map_err(unreachable)?;
    finish(docker, host).await
}

async fn finish(docker: Docker, host: String) -> Result<Engine, ConnectError> {
    let unreachable = |source| ConnectError::Unreachable {
        target: host.clone(),
        source,
    };
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    docker.ping().await.map_err(unreachable)?;
    Ok(Engine { docker, host })
}

/// The address an engine name stands for.
pub fn resolve(name: &str) -> Result<String, ConnectError> {
    if let Some(host) = parse_host(name) {
        return usable(name, host).map(|()| name.to_string());
    }
    if name.contains("://") {
        return Err(ConnectError::Address(format!(
            "--engine {name}: only {} engines (or a docker context that names one) are supported",
            LOCAL_SCHEMES
        )));
    }
    if name == "default" {
        return Ok(target());
    }
    context_host(name)
}

/// A docker context's endpoint, read from the CLI's context store
/// (`~/.docker/contexts/meta/<sha256 of the name>/meta.json`).
fn context_host(name: &str) -> Result<String, ConnectError> {
    use sha2::{Digest, Sha256};
    let config = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            // Windows keeps the docker CLI's config in %USERPROFILE%\.docker.
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .map(|h| std::path::Path::new(&h).join(".docker"))
        });
    let not_found = || {
        ConnectError::Address(format!(
            "--engine {name}: not a {LOCAL_SCHEMES} address, and there is no docker context of that name (`docker context ls` lists them)"
        ))
    };
    let Some(config) = config else {
        return Err(not_found());
    };
    let digest = hex::encode(Sha256::digest(name.as_bytes()));
    let meta = config
        .join("contexts")
        .join("meta")
        .join(digest)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta).map_err(|_| not_found())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        ConnectError::Address(format!(
            "--engine {name}: the context's {} is not valid JSON: {e}",
            meta.display()
        ))
    })?;
    let host = v
        .pointer("/Endpoints/docker/Host")
        .and_then(|h| h.as_str())
        .ok_or_else(|| {
            ConnectError::Address(format!(
                "--engine {name}: the context names no docker endpoint"
            ))
        })?;
    resolve_plain(name, host)
}

fn resolve_plain(name: &str, host: &str) -> Result<String, ConnectError> {
    match parse_host(host) {
        Some(h) => usable(name, h).map(|()| host.to_string()),
        None => Err(ConnectError::Address(format!(
            "--engine {name}: the context's endpoint {host} is not a {LOCAL_SCHEMES} address"
        ))),
    }
}

/// The schemes this machine reaches, for messages.
const LOCAL_SCHEMES: &str = if cfg!(windows) {
    "npipe:// or tcp://"
} else {
    "unix:// or tcp://"
};

/// A parsed address this machine can use, or why not (a pipe on unix, a socket on Windows).
fn usable(name: &str, host: Host<'_>) -> Result<(), ConnectError> {
    if host.reachable_on(crate::platform::OS) {
        return Ok(());
    }
    let what = match host {
        Host::Pipe(_) => "a Windows named pipe",
        _ => "a unix socket",
    };
    Err(ConnectError::Address(format!(
        "--engine {name}: {what} cannot be reached from this machine; use a {LOCAL_SCHEMES} address"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(resolve("unix:///tmp/d.sock").unwrap(), "unix:///tmp/d.sock");
        assert_eq!(
            resolve("tcp://10.0.0.2:2375").unwrap(),
            "tcp://10.0.0.2:2375"
        );
        assert!(resolve("ssh://me@box").is_err());
        assert!(resolve("no-such-context-name-here").is_err());
        // Each OS reaches its own local kind; the other is refused with a reason.
        let pipe = resolve("npipe:////./pipe/docker_engine");
        assert_eq!(pipe.is_ok(), cfg!(windows));
        if let Err(e) = pipe {
            assert!(e.to_string().contains("Windows named pipe"), "{e}");
        }
    }

    #[test]
    fn engine_urls() {
        use crate::platform::Os;
        assert_eq!(
            parse_host("npipe:////./pipe/docker_engine"),
            Some(Host::Pipe("//./pipe/docker_engine"))
        );
        assert_eq!(
            parse_host("unix:///var/run/docker.sock"),
            Some(Host::Unix("/var/run/docker.sock"))
        );
        assert_eq!(
            parse_host("tcp://10.0.0.2:2375"),
            Some(Host::Tcp("10.0.0.2:2375"))
        );
        assert_eq!(parse_host("http://box:2375"), Some(Host::Tcp("box:2375")));
        assert_eq!(parse_host("ssh://me@box"), None);
        let pipe = Host::Pipe("//./pipe/docker_engine");
        assert!(pipe.reachable_on(Os::Windows) && !pipe.reachable_on(Os::Unix));
        let sock = Host::Unix("/var/run/docker.sock");
        assert!(sock.reachable_on(Os::Unix) && !sock.reachable_on(Os::Windows));
        assert!(
            Host::Tcp("h:1").reachable_on(Os::Unix) && Host::Tcp("h:1").reachable_on(Os::Windows)
        );
        // The default engine is the platform's: Docker Desktop's pipe on Windows.
        let default = crate::platform::DEFAULT_ENGINE;
        assert_eq!(
            parse_host(default).map(|h| h.reachable_on(crate::platform::OS)),
            Some(true)
        );
    }

    #[test]
    fn published_ports_are_reached_on_the_engines_machine() {
        let at = |host: &str| {
            Engine {
                docker: Docker::connect_with_http("tcp://127.0.0.1:1", 1, API_DEFAULT_VERSION)
                    .unwrap(),
                host: host.into(),
            }
            .published_host()
        };
        assert_eq!(at("unix:///var/run/docker.sock"), "127.0.0.1");
        assert_eq!(at("npipe:////./pipe/docker_engine"), "127.0.0.1");
        assert_eq!(at("tcp://10.0.0.2:2375"), "10.0.0.2");
        assert_eq!(at("tcp://[::1]:2375"), "::1");
        assert_eq!(at("tcp://box"), "box");
    }
}
