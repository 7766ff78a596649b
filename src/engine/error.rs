//! What can go wrong at the engine, with the context to act on it.

use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Connect(#[from] super::ConnectError),
    #[error("{doing}: {}", reason(source))]
    Engine {
        doing: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error(
        "image {image} is not on this machine and could not be pulled: {reason}\n  {}",
        missing_advice(reason)
    )]
    ImageUnavailable { image: String, reason: String },
    #[error("building the image of service {service} failed:\n{output}{}",
        if no_registry(output) { format!("\n  {}", missing_advice(output)) } else { String::new() })]
    Build { service: String, output: String },
    #[error(
        "service {service} cannot publish port {port}: it is already in use on this machine\n  Stop what uses it, or publish the container port alone (e.g. ports: [\"{container_port}\"]) so the engine picks a free one."
    )]
    PortTaken {
        service: String,
        port: String,
        container_port: String,
    },
    #[error("service {service} did not become {wanted}: it is {state}{details}")]
    NotReady {
        service: String,
        wanted: String,
        state: String,
        details: String,
    },
    #[error("service {service}: {message}")]
    InvalidLab { service: String, message: String },
    /// An operation that cannot be done in the object's current state, in plain words.
    #[error("{0}")]
    Refused(String),
    #[error("interrupted")]
    Interrupted,
}

impl EngineError {
    /// Wrap an engine error with what was being done.
    pub fn engine(doing: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> EngineError {
        let doing = doing.into();
        move |source| EngineError::Engine { doing, source }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            EngineError::InvalidLab { .. } => exit::INVALID_INPUT,
            EngineError::Interrupted => exit::INTERRUPTED,
            _ => exit::ENVIRONMENT,
        }
    }

    /// The engine answered "no such object".
    pub fn is_not_found(&self) -> bool {
        matches!(self, EngineError::Engine { source, .. } if is_not_found(source))
    }
}

/// The engine's words when it could not reach a registry at all (no network, no DNS, a
/// firewall), as opposed to a registry that answered "no such image".
pub(crate) fn no_registry(reason: &str) -> bool {
    const SIGNS: [&str; 8] = [
        "dial tcp",
        "no such host",
        "i/o timeout",
        "connection refused",
        "network is unreachable",
        "TLS handshake timeout",
        "Temporary failure in name resolution",
        "Client.Timeout exceeded",
    ];
    SIGNS.iter().any(|s| reason.contains(s))
}

/// What to do about an image this machine lacks: classrooms without a registry get the
/// course's images as one archive (`lab images save` / `load`).
fn missing_advice(reason: &str) -> &'static str {
    if no_registry(reason) {
        "No registry can be reached from here. Load the course's images from an archive: `lab images load FILE`, with FILE made by `lab images pull` and `lab images save FILE` on a machine that has a registry."
    } else {
        "If no registry has it, load it from an archive: `lab images load FILE`, with FILE made by `lab images save FILE` where the course's images are (or build it: `lab images pull`)."
    }
}

/// The engine's own words for an error: its message, without the HTTP wrapping.
pub(crate) fn reason(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

pub(crate) fn is_conflict(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 409,
            ..
        }
    )
}
