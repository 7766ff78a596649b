//! `lab doctor`: is this machine ready for the course? Each thing that can stop a lab is
//! looked at (the engine and how it was found, its version and storage, disk, the images
//! and host ports the course needs, labs already running, the progress store) and becomes
//! one [`Finding`], with the fix when it is not fine. Nothing is changed on the engine.

mod course;
mod engine;

use std::path::PathBuf;

use serde::Serialize;

use crate::model::Course;

/// How a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Worth knowing; nothing is blocked.
    Warn,
    /// Something a lab needs is missing or broken.
    Fail,
}

/// One thing looked at.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub status: Status,
    /// What was looked at: engine, version, storage, disk, course, image, port, lab, progress.
    pub topic: &'static str,
    /// Which one, when a topic has several (an image's name, a port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub text: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn new(status: Status, topic: &'static str, text: impl Into<String>) -> Finding {
        Finding {
            status,
            topic,
            subject: None,
            text: text.into(),
            fix: None,
        }
    }
    fn ok(topic: &'static str, text: impl Into<String>) -> Finding {
        Finding::new(Status::Ok, topic, text)
    }
    fn warn(topic: &'static str, text: impl Into<String>) -> Finding {
        Finding::new(Status::Warn, topic, text)
    }
    fn fail(topic: &'static str, text: impl Into<String>) -> Finding {
        Finding::new(Status::Fail, topic, text)
    }
    fn on(mut self, subject: impl Into<String>) -> Finding {
        self.subject = Some(subject.into());
        self
    }
    fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

/// The course as the command found it: loaded, broken, or not found.
pub enum CourseState<'a> {
    Loaded(&'a Course),
    /// Found but invalid: the number of mistakes.
    Invalid(usize),
    NotFound,
}

/// Everything `lab doctor` found, in the order a student would fix it.
pub async fn examine(course: CourseState<'_>, store: Option<PathBuf>) -> Vec<Finding> {
    let mut out = Vec::new();
    let reached = engine::examine(&mut out).await;
    match course {
        CourseState::Loaded(c) => {
            if let Some(e) = &reached {
                course::examine(e, c, &mut out).await;
            } else {
                out.push(Finding::warn(
                    "course",
                    format!(
                        "{}: its images and ports are not looked at without an engine",
                        c.title
                    ),
                ));
            }
        }
        CourseState::Invalid(n) => out.push(
            Finding::fail(
                "course",
                format!(
                    "the course has {n} mistake{}",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .fix("`lab lint` shows each one with its place"),
        ),
        CourseState::NotFound => out.push(
            Finding::warn(
                "course",
                "not inside a course: its images and ports are not looked at",
            )
            .fix("run `lab doctor` in the course's folder, or give --course DIR"),
        ),
    }
    out.push(progress_store(store));
    out
}

/// Whether any finding blocks the course.
pub fn blocked(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.status == Status::Fail)
}

/// The progress store opens and takes a write.
fn progress_store(path: Option<PathBuf>) -> Finding {
    let Some(path) = path else {
        return Finding::fail(
            "progress",
            "no folder for the progress store: neither LAB_HOME nor HOME is set",
        )
        .fix("set LAB_HOME to a folder you can write");
    };
    match crate::progress::Store::open(&path).and_then(|s| s.check_writable()) {
        Ok(()) => Finding::ok(
            "progress",
            format!("the progress store {} is writable", path.display()),
        ),
        Err(e) => Finding::fail(
            "progress",
            format!("the progress store cannot be written: {e}"),
        )
        .fix("set LAB_HOME to a folder you can write, or fix the file's permissions"),
    }
}
