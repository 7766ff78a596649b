//! How commands fail, and the exit code each failure means, in one place: commands use `?`
//! and `main` prints the message and maps it.

use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A lab with mistakes, a bad flag, an unknown id (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// The engine, an image, a port, the disk (exit 3).
    #[error("{0}")]
    Environment(String),
    /// Ctrl-C; the message says what was cleaned up (exit 130).
    #[error("interrupted{}", .0.as_deref().map(|m| format!("; {m}")).unwrap_or_default())]
    Interrupted(Option<String>),
    /// Already reported in full (e.g. a course's diagnostics); only the exit code is left.
    #[error("")]
    Reported(u8),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) => exit::INVALID_INPUT,
            CliError::Environment(_) => exit::ENVIRONMENT,
            CliError::Interrupted(_) => exit::INTERRUPTED,
            CliError::Reported(code) => *code,
        }
    }
}

impl From<crate::engine::ConnectError> for CliError {
    fn from(e: crate::engine::ConnectError) -> Self {
        match e {
            crate::engine::ConnectError::Address(msg) => CliError::Invalid(msg),
            e => CliError::Environment(e.to_string()),
        }
    }
}

impl From<crate::engine::EngineError> for CliError {
    fn from(e: crate::engine::EngineError) -> Self {
        match e.exit_code() {
            exit::INVALID_INPUT => CliError::Invalid(e.to_string()),
            exit::INTERRUPTED => CliError::Interrupted(None),
            _ => CliError::Environment(e.to_string()),
        }
    }
}

impl From<crate::session::grade::GradeError> for CliError {
    fn from(e: crate::session::grade::GradeError) -> Self {
        use crate::session::grade::GradeError;
        match e {
            GradeError::Interrupted { problems } if problems.is_empty() => {
                CliError::Interrupted(None)
            }
            GradeError::Interrupted { problems } => {
                CliError::Interrupted(Some(problems.join("; ")))
            }
            e @ (GradeError::NotRunning { .. } | GradeError::Engine(_)) => {
                CliError::Environment(e.to_string())
            }
            other => CliError::Invalid(other.to_string()),
        }
    }
}

/// What a command returns: its exit code (0, or 1 when checks failed), or why it failed.
pub type CliResult = Result<u8, CliError>;
