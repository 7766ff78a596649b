//! Reaching an engine: the one the docker CLI would use ([`super::discover`]), or one named
//! on the command line (`unix://`, `npipe://`, `tcp://`, a docker context); the API version
//! negotiated. The [`Engine`] handle is what every other part of `lab` holds: nothing
//! outside `engine/` sees the Docker client library.

use bollard::{API_DEFAULT_VERSION, Docker};

use super::discover::{self, Candidate, Origin};

/// Why the engine could not be reached, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{}", unreachable_text(.tried))]
    Unreachable { tried: Vec<Tried> },
    #[error("{0}")]
    Address(String),
}

/// One engine tried, and why it did not answer.
#[derive(Debug, Clone)]
pub struct Tried {
    pub candidate: Candidate,
    pub reason: String,
}

fn unreachable_text(tried: &[Tried]) -> String {
    let mut s = match tried {
        [one] => format!(
            "cannot reach the Docker engine at {} ({}): {}",
            one.candidate.host, one.candidate.origin, one.reason
        ),
        many => {
            let mut s = String::from("cannot reach a Docker engine; tried:");
            for t in many {
                s.push_str(&format!(
                    "\n  - {} ({}): {}",
                    t.candidate.host, t.candidate.origin, t.reason
                ));
            }
            s
        }
    };
    if let Some(first) = tried.first() {
        s.push_str(&format!("\n  {}", fix(first)));
    }
    s
}

/// What to do about an engine that did not answer, by where it came from and why.
pub fn fix(t: &Tried) -> String {
    if t.reason.contains("permission denied") {
        // The reason says which group to join.
        return "then try again (`lab doctor` shows what it finds)".into();
    }
    match &t.candidate.origin {
        Origin::DockerHost => {
            "start the engine DOCKER_HOST names, or unset DOCKER_HOST to use the default socket"
                .into()
        }
        Origin::ContextEnv(_) => {
            "start the engine the context names, or unset DOCKER_CONTEXT to use the default".into()
        }
        Origin::CurrentContext(_) => {
            "start the engine the context names, or `docker context use default`".into()
        }
        Origin::Flag => "start the engine --engine names, or name another".into(),
        _ => crate::platform::START_ENGINE_HINT.to_string(),
    }
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

/// Connect to the engine the docker CLI would use (see [`super::discover`]) and negotiate
/// the API version (bollard 0.21 does not send the version in request paths; negotiating
/// keeps an upgrade safe). The error names every engine tried and why each failed.
pub async fn connect() -> Result<Engine, ConnectError> {
    match search().await? {
        (Some((engine, _)), _) => Ok(engine),
        (None, tried) => Err(ConnectError::Unreachable { tried }),
    }
}

/// The engine found, and every candidate tried before it (or all, when none answered):
/// what [`connect`] uses and what `lab doctor` reports. Other engines' sockets are tried
/// only when nothing is configured and the default socket is not there at all: a default
/// socket that refuses this user, or whose engine is stopped, is the student's engine,
/// and silently using another one would grade the wrong containers.
pub async fn search() -> Result<(Option<(Engine, Candidate)>, Vec<Tried>), ConnectError> {
    let mut tried = Vec::new();
    for candidate in discover::candidates()? {
        let fallback = !candidate.origin.configured() && candidate.origin != Origin::DefaultSocket;
        if fallback {
            let default_there = tried.iter().any(|t: &Tried| {
                t.candidate.origin == Origin::DefaultSocket
                    && discover::socket_exists(&t.candidate.host)
            });
            // Sockets that are not there are not worth naming.
            if default_there || !discover::socket_exists(&candidate.host) {
                continue;
            }
        }
        match reach(&candidate).await {
            Ok(engine) => return Ok((Some((engine, candidate)), tried)),
            Err(reason) => tried.push(Tried { candidate, reason }),
        }
    }
    Ok((None, tried))
}

/// Connect to an engine named on the command line: `unix:///path`, `npipe:////./pipe/name`,
/// `tcp://host:port`, or the name of a docker context (`docker context ls`).
pub async fn connect_to(name: &str) -> Result<Engine, ConnectError> {
    let candidate = Candidate {
        origin: Origin::Flag,
        host: resolve(name)?,
    };
    reach(&candidate)
        .await
        .map_err(|reason| ConnectError::Unreachable {
            tried: vec![Tried { candidate, reason }],
        })
}

/// Connect to one candidate, or say why not in words a student can act on.
async fn reach(candidate: &Candidate) -> Result<Engine, String> {
    let host = candidate.host.clone();
    let Some(parsed) = parse_host(&host) else {
        return Err(format!(
            "{host} is not a {LOCAL_SCHEMES} address (ssh:// and TLS engines are not supported)"
        ));
    };
    if !parsed.reachable_on(crate::platform::OS) {
        return Err(format!("{host} cannot be reached from this machine"));
    }
    if let Some(problem) = discover::socket_problem(&host) {
        return Err(problem);
    }
    if let Host::Tcp(addr) = parsed {
        tcp_problem(addr).await?;
    }
    let docker = match parsed {
        Host::Tcp(_) => Docker::connect_with_http(&host, 120, API_DEFAULT_VERSION),
        _ => Docker::connect_with_local(&host, 120, API_DEFAULT_VERSION),
    }
    .map_err(|e| e.to_string())?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| e.to_string())?;
    docker.ping().await.map_err(|e| e.to_string())?;
    Ok(Engine { docker, host })
}

/// Whether something accepts connections at `host:port`, in words (the HTTP client's own
/// error says only "client error (Connect)").
async fn tcp_problem(addr: &str) -> Result<(), String> {
    let addr = addr.split('/').next().unwrap_or(addr);
    let secs = 5;
    match tokio::time::timeout(
        std::time::Duration::from_secs(secs),
        tokio::net::TcpStream::connect(addr),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(format!(
            "nothing listens on {addr} (connection refused): the engine is not running there, or listens on another port"
        )),
        Ok(Err(e)) => Err(format!("connecting to {addr}: {e}")),
        Err(_) => Err(format!(
            "no answer from {addr} within {secs} s: a firewall, or the wrong address"
        )),
    }
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
        // The docker CLI's "default" context: DOCKER_HOST, else the default socket.
        return Ok(std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| crate::platform::DEFAULT_ENGINE.to_string()));
    }
    let host = discover::context_host(name, &Origin::Flag).map_err(|_| {
        ConnectError::Address(format!(
            "--engine {name}: not a {LOCAL_SCHEMES} address, and there is no docker context of that name (`docker context ls` lists them)"
        ))
    })?;
    resolve_plain(name, &host)
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
