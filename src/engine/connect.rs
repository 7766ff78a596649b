//! Reaching the engine: DOCKER_HOST or the default socket, API version negotiated. The
//! [`Engine`] handle is what every other part of `lab` holds: nothing outside `engine/`
//! sees the Docker client library.

use bollard::Docker;

/// Why the engine could not be reached, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "cannot reach the Docker engine at {target}: {source}\n  Start Docker (e.g. `sudo systemctl start docker`), or set DOCKER_HOST to where it listens; check that you may use its socket."
    )]
    Unreachable {
        target: String,
        #[source]
        source: bollard::errors::Error,
    },
}

/// A connection to one engine (cheap to clone: one client, shared).
#[derive(Debug, Clone)]
pub struct Engine {
    pub(super) docker: Docker,
}

impl Engine {
    /// The client, for the modules of `engine/`.
    pub(super) fn api(&self) -> &Docker {
        &self.docker
    }
}

/// Where we are about to connect, for messages.
pub fn target() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// Connect and negotiate the API version (bollard 0.21 does not send the version in
/// request paths; negotiating keeps an upgrade safe).
pub async fn connect() -> Result<Engine, ConnectError> {
    let unreachable = |source| ConnectError::Unreachable {
        target: target(),
        source,
    };
    let docker = Docker::connect_with_defaults().map_err(unreachable)?;
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    docker.ping().await.map_err(unreachable)?;
    Ok(Engine { docker })
}
