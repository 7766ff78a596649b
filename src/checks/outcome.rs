//! What one check attempt concluded.

use serde::Serialize;

/// How a check ended (LAB_FORMAT §4.4): pass; fail (it ran, and the environment is not as
/// asked); blocked (a check it `needs` did not pass, so it was not run); error (the grader
/// could not look).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Blocked,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Blocked => "blocked",
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
    /// A fail that waiting cannot change (the object the student is to create does not
    /// exist; nothing will bring a stopped container back): `eventually` does not retry it.
    pub conclusive: bool,
}

/// Evidence is for reading, not archiving: a few KiB at most.
pub const EVIDENCE_CAP: usize = 4096;

impl Outcome {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            evidence: String::new(),
            conclusive: false,
        }
    }
    pub fn pass(message: impl Into<String>) -> Self {
        Outcome::new(Status::Pass, message)
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Outcome::new(Status::Fail, message)
    }
    /// A fail about something the student has not made yet: final at once.
    pub fn missing(message: impl Into<String>) -> Self {
        Outcome {
            conclusive: true,
            ..Outcome::new(Status::Fail, message)
        }
    }
    pub fn error(message: impl Into<String>) -> Self {
        Outcome::new(Status::Error, message)
    }
    /// This fail will not change by waiting.
    pub fn conclusive(mut self) -> Self {
        self.conclusive = true;
        self
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
