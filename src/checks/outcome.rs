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

/// At most `max` bytes of `text` (on a char boundary), with a note when cut.
pub fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} more bytes not shown)",
        &text[..end],
        text.len() - end
    )
}

/// Bytes to text for people: invalid UTF-8 and control characters (other than newline and
/// tab) become visible escapes, so binary garbage cannot corrupt a terminal or a report.
pub fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            '\r' => String::new(),
            c if c.is_control() => format!("\\x{:02x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_on_char_boundaries() {
        let s = "é".repeat(10);
        let c = cap(&s, 5);
        assert!(c.starts_with("éé") && c.contains("more bytes"));
        assert_eq!(cap("short", 10), "short");
    }

    #[test]
    fn printable_escapes_control_bytes() {
        assert_eq!(printable(b"a\x1b[31mb\r\n\x00"), "a\\x1b[31mb\n\\x00");
    }
}
