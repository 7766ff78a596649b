//! The engine operations checks share: find a target's container, inspect it, run a
//! command in it with bounded time and output.

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::query_parameters::ListContainersOptionsBuilder;
use futures_util::StreamExt;

use super::context::RunContext;
use super::outcome::printable;
use crate::model::Target;

/// Label keys `lab` puts on what it creates (see engine).
pub const LABEL_PROJECT: &str = "io.lab.project";
pub const LABEL_SERVICE: &str = "io.lab.service";

/// A container a check looks at.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    pub name: String,
}

/// The container a target names. `Target::Host` is not a container: an error.
pub async fn find(ctx: &RunContext, target: &Target) -> Result<Found, String> {
    let docker = ctx.docker()?;
    match target {
        Target::Service(svc) => find_service(docker, &ctx.project, svc).await,
        Target::Container(name) => match docker.inspect_container(name, None).await {
            Ok(c) => Ok(Found {
                id: c.id.unwrap_or_else(|| name.clone()),
                name: c
                    .name
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_string(),
            }),
            Err(e) if is_not_found(&e) => Err(format!("there is no container named \"{name}\"")),
            Err(e) => Err(format!("could not inspect container \"{name}\": {e}")),
        },
        Target::Host => Err("the host is not a container".into()),
    }
}

pub async fn find_service(docker: &Docker, project: &str, service: &str) -> Result<Found, String> {
    let mut filters = HashMap::new();
    filters.insert(
        "label",
        vec![
            format!("{LABEL_PROJECT}={project}"),
            format!("{LABEL_SERVICE}={service}"),
        ],
    );
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let list = docker
        .list_containers(Some(opts))
        .await
        .map_err(|e| format!("could not list containers: {e}"))?;
    // Prefer a running container when an old one lingers.
    let pick = list
        .iter()
        .find(|c| c.state.as_ref().is_some_and(|s| s.to_string() == "running"))
        .or(list.first());
    match pick {
        Some(c) => Ok(Found {
            id: c.id.clone().unwrap_or_default(),
            name: c
                .names
                .as_ref()
                .and_then(|n| n.first())
                .map(|n| n.trim_start_matches('/').to_string())
                .unwrap_or_default(),
        }),
        None => Err(format!(
            "service \"{service}\" has no container in project \"{project}\" (is the lab started?)"
        )),
    }
}

pub fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// The engine's inspect of a container, as JSON (the API's own field names).
pub async fn inspect_json(docker: &Docker, id: &str) -> Result<serde_json::Value, String> {
    let c = docker
        .inspect_container(id, None)
        .await
        .map_err(|e| format!("could not inspect the container: {e}"))?;
    serde_json::to_value(&c).map_err(|e| format!("could not read the inspect output: {e}"))
}

/// A command to run in a container.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    pub cmd: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub env: Vec<String>,
}

/// What came back, each stream capped.
#[derive(Debug, Clone, Default)]
pub struct ExecOutput {
    /// `None` when the command was cut off (time or output limit) before it ended.
    pub exit: Option<i64>,
    pub stdout: String,
    pub stderr: String,
    pub truncated: bool,
    pub timed_out: bool,
}

/// Run a command in a container; stop reading after `cap` bytes per stream or at `timeout`.
/// A command that floods or hangs cannot hold the grader.
pub async fn exec(
    docker: &Docker,
    id: &str,
    req: &ExecRequest,
    timeout: Duration,
    cap: usize,
) -> Result<ExecOutput, String> {
    let created = docker
        .create_exec(
            id,
            CreateExecOptions {
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                cmd: Some(req.cmd.clone()),
                user: req.user.clone(),
                working_dir: req.workdir.clone(),
                env: if req.env.is_empty() {
                    None
                } else {
                    Some(req.env.clone())
                },
                ..Default::default()
            },
        )
        .await
        .map_err(|e| exec_error(&e))?;
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty: false,
                output_capacity: None,
            }),
        )
        .await
        .map_err(|e| exec_error(&e))?;
    let StartExecResults::Attached { mut output, .. } = started else {
        return Err("the engine detached the command".into());
    };
    let mut out = ExecOutput::default();
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let read = async {
        while let Some(chunk) = output.next().await {
            let Ok(chunk) = chunk else { break };
            use bollard::container::LogOutput;
            let (buf, bytes) = match chunk {
                LogOutput::StdOut { message } => (&mut so, message),
                LogOutput::StdErr { message } => (&mut se, message),
                LogOutput::Console { message } => (&mut so, message),
                LogOutput::StdIn { .. } => continue,
            };
            let room = cap.saturating_sub(buf.len());
            buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
            if bytes.len() > room {
                return true;
            }
        }
        false
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(truncated) => out.truncated = truncated,
        Err(_) => out.timed_out = true,
    }
    drop(output);
    out.stdout = printable(&so);
    out.stderr = printable(&se);
    if !out.truncated && !out.timed_out {
        // The stream ended: the command has exited; its code follows shortly.
        for _ in 0..20 {
            match docker.inspect_exec(&created.id).await {
                Ok(i) if i.running == Some(false) => {
                    out.exit = i.exit_code;
                    break;
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                Err(e) => return Err(format!("could not read the command's exit code: {e}")),
            }
        }
    }
    Ok(out)
}

fn exec_error(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 409,
            message,
        } => {
            format!("the container is not running ({message})")
        }
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// `sh -c TEXT` for a string command, the list as given otherwise.
pub fn argv(cmd: &crate::model::CommandLine) -> Vec<String> {
    match cmd {
        crate::model::CommandLine::Shell(s) => vec!["sh".into(), "-c".into(), s.clone()],
        crate::model::CommandLine::Exec(v) => v.clone(),
    }
}
