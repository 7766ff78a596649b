//! What one check attempt concluded.

use serde::Serialize;

/// Pass, fail (it ran; the environment is not as asked) or error (it could not run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

/// The result of one attempt: a status, a sentence saying what was expected and what was
/// seen, and evidence (output, transcript) capped at [`EVIDENCE_CAP`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub evidence: String,
}

/// Evidence is for reading, not archiving: a few KiB at most.
pub const EVIDENCE_CAP: usize = 4096;

impl Outcome {
    pub fn pass(message: impl Into<String>) -> Self {
        Outcome {
            status: Status::Pass,
            message: message.into(),
            evidence: String::new(),
        }
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Outcome {
            status: Status::Fail,
            message: message.into(),
            evidence: String::new(),
        }
    }
    pub fn error(message: impl Into<String>) -> Self {
        Outcome {
            status: Status::Error,
            message: message.into(),
            evidence: String::new(),
        }
    }
    pub fn evidence(mut self, text: impl AsRef<str>) -> Self {
        self.evidence = cap(text.as_ref(), EVIDENCE_CAP);
        self
    }
    /// Pass when `ok`, else fail; the same message either way reads well ("expected X, saw Y").
    pub fn judge(ok: bool, message: impl Into<String>) -> Self {
        if ok {
            Outcome::pass(message)
        } else {
            Outcome::fail(message)
        }
    }
}

pub use crate::text::{cap, printable};
