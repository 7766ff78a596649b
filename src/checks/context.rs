//! What checks run against: the engine, the lab's project, the student's workspace.

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;

/// Shared by every check of a run.
#[derive(Clone)]
pub struct RunContext {
    /// `None` when the engine is unreachable: checks that need it end in `error`.
    pub docker: Option<Docker>,
    /// The project whose containers `service:` targets name (`io.lab.project`).
    pub project: String,
    /// Where `file` and `command` checks look (the student's folder).
    pub workspace: PathBuf,
    /// The lab's own folder.
    pub lab_dir: PathBuf,
    /// Per attempt, when a check gives none.
    pub default_timeout: Duration,
    /// The image short-lived probe and helper containers run (`busybox:1.36`).
    pub helper_image: String,
}

impl RunContext {
    pub fn docker(&self) -> Result<&Docker, String> {
        self.docker
            .as_ref()
            .ok_or_else(|| "the Docker engine is not reachable".to_string())
    }
}
