//! What checks run against: the engine, the lab's project, the student's workspace, and
//! the log of what `before:` actions changed (put back when the check is done).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use super::restore::Restore;
use crate::engine::Engine;

/// Shared by every check of a run.
#[derive(Clone)]
pub struct RunContext {
    /// `None` when the engine is unreachable: checks that need it end in `error`.
    pub engine: Option<Engine>,
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
    /// This run's id: on the helper containers it makes, so an interrupted run removes them.
    pub run: String,
    /// What actions changed, to put back.
    pub restore: Restore,
    /// The lab's own network names (`default` and the stack's), which the engine knows as
    /// `<project>-<name>`: checks may name them either way.
    pub networks: Vec<String>,
    /// The lab's own volume names, likewise.
    pub volumes: Vec<String>,
    /// Services with replicas, and how many: a check of such a service checks every one.
    pub replicas: HashMap<String, u32>,
    /// How programs run on this machine (expect `host:`, `command`).
    pub host: HostPrograms,
}

/// The engine names a network or volume called `name` in a check may have: one of the
/// lab's stack (`stack`) only `<project>-<name>`, since a student's object that merely has
/// the bare name is another; any other its name as written, or the project's.
pub fn engine_names(project: &str, stack: &[String], name: &str) -> Vec<String> {
    let scoped = format!("{project}-{name}");
    if stack.iter().any(|s| s == name) {
        vec![scoped]
    } else {
        vec![name.to_string(), scoped]
    }
}

/// How checks may run programs on this machine: they run in the student's workspace, often
/// the student's own scripts.
#[derive(Debug, Clone, Default)]
pub struct HostPrograms {
    /// Set for each (a submission's: the engine it is graded on, through its guard).
    pub env: Vec<(String, String)>,
    /// Why they may not run at all (a submission's programs, not trusted).
    pub refused: Option<String>,
}

impl RunContext {
    /// A context for `project`, with the defaults a grade uses.
    pub fn new(
        engine: Option<Engine>,
        project: &str,
        workspace: PathBuf,
        lab_dir: PathBuf,
    ) -> Self {
        RunContext {
            engine,
            project: project.to_string(),
            workspace,
            lab_dir,
            default_timeout: crate::model::DEFAULT_CHECK_TIMEOUT,
            helper_image: crate::engine::HELPER_IMAGE.to_string(),
            run: crate::engine::new_run_id(),
            restore: Restore::default(),
            networks: vec!["default".to_string()],
            volumes: Vec::new(),
            replicas: HashMap::new(),
            host: HostPrograms::default(),
        }
    }

    pub fn engine(&self) -> Result<&Engine, String> {
        self.engine
            .as_ref()
            .ok_or_else(|| "the Docker engine is not reachable".to_string())
    }
}
