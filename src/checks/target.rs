//! Finding what a check looks at: the container of a stack service, a container by name,
//! and probes run inside a peer container (`from:`).

use std::time::Duration;

use super::context::RunContext;
use crate::engine::exec::{ExecOutput, ExecRequest, exec};
use crate::engine::{Found, find};
use crate::model::{CommandLine, Target};

/// The container a target names. `Target::Host` is not a container: an error.
pub async fn find(ctx: &RunContext, target: &Target) -> Result<Found, String> {
    let engine = ctx.engine()?;
    match target {
        Target::Service(svc) => find_service(ctx, svc).await,
        Target::Container(name) => match find::container(engine, name).await {
            Ok(Some(f)) => Ok(f),
            Ok(None) => Err(format!("there is no container named \"{name}\"")),
            Err(e) => Err(format!("could not inspect container \"{name}\": {e}")),
        },
        Target::Host => Err("the host is not a container".into()),
    }
}

pub async fn find_service(ctx: &RunContext, service: &str) -> Result<Found, String> {
    let engine = ctx.engine()?;
    match find::service(engine, &ctx.project, service).await {
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(format!(
            "service \"{service}\" has no container in project \"{}\" (is the lab started?)",
            ctx.project
        )),
        Err(e) => Err(format!("could not list containers: {e}")),
    }
}

/// `sh -c TEXT` for a string command, the list as given otherwise.
pub fn argv(cmd: &CommandLine) -> Vec<String> {
    match cmd {
        CommandLine::Shell(s) => vec!["sh".into(), "-c".into(), s.clone()],
        CommandLine::Exec(v) => v.clone(),
    }
}

/// Run a command in the target's container, output capped.
pub async fn exec_in(
    ctx: &RunContext,
    id: &str,
    req: &ExecRequest,
    timeout: Duration,
) -> Result<ExecOutput, String> {
    exec(ctx.engine()?, id, req, timeout, 64 * 1024)
        .await
        .map_err(|e| e.to_string())
}

/// Run a probe command inside the service `from` (so it sees what a peer container sees).
pub async fn in_service(
    ctx: &RunContext,
    from: &str,
    cmd: Vec<String>,
    timeout: Duration,
) -> Result<ExecOutput, String> {
    let found = find(ctx, &Target::Service(from.to_string())).await?;
    let req = ExecRequest {
        cmd,
        ..Default::default()
    };
    let out = exec_in(ctx, &found.id, &req, timeout).await?;
    if out.exit == Some(126) || out.exit == Some(127) {
        return Err(format!(
            "the probe needs busybox tools (sh, nc, wget, nslookup) in the container of {from}: {}",
            out.stderr.trim()
        ));
    }
    Ok(out)
}
