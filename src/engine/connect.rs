//! Reaching the engine: DOCKER_HOST or the default socket, API version negotiated.

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

/// Where we are about to connect, for messages.
pub fn target() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// Connect and negotiate the API version (bollard 0.21 does not send the version in
/// request paths; negotiating keeps an upgrade safe).
pub async fn connect() -> Result<Docker, ConnectError> {
    let unreachable = |source| ConnectError::Unreachable {
        target: target(),
        source,
    };
    let docker = Docker::connect_with_defaults().map_err(unreachable)?;
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    docker.ping().await.map_err(unreachable)?;
    Ok(docker)
}
