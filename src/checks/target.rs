//! Finding what a check looks at: the container of a stack service, a container by name,
//! and probes run inside a peer container (`from:`).

use std::time::Duration;

use super::context::RunContext;
use super::outcome::Outcome;
use crate::engine::exec::{ExecOutput, ExecRequest, exec};
use crate::engine::{Found, find};
use crate::model::{CommandLine, Target};

/// The container a target names, or the outcome of not finding it (LAB_FORMAT §4.4): a
/// container the student is to create that does not exist is a `fail` at once; a lab
/// service without a container, or an engine that does not answer, an `error`.
pub async fn find(ctx: &RunContext, target: &Target) -> Result<Found, Outcome> {
    let engine = ctx.engine().map_err(Outcome::error)?;
    match target {
        Target::Service(svc) => find_service(ctx, svc).await,
        Target::Replica(svc, n) => match find::replica(engine, &ctx.project, svc, *n).await {
            Ok(Some(f)) => Ok(f),
            Ok(None) => Err(Outcome::error(format!(
                "the lab's service {svc} has no replica {n} (project {}); `lab start` brings it back",
                ctx.project
            ))),
            Err(e) => Err(Outcome::error(format!("could not list containers: {e}"))),
        },
        Target::Container(name) => match find::container(engine, name).await {
            Ok(Some(f)) => Ok(f),
            Ok(None) => Err(Outcome::missing(format!("there is no container {name}"))),
            Err(e) => Err(Outcome::error(format!(
                "could not look up the container {name}: {e}"
            ))),
        },
        Target::Host => Err(Outcome::error("the host is not a container")),
    }
}

/// Whether the target's container exists and is not running (nothing in it listens).
pub async fn stopped(ctx: &RunContext, target: &Target) -> bool {
    let Ok(found) = find(ctx, target).await else {
        return false;
    };
    let Ok(engine) = ctx.engine() else {
        return false;
    };
    match crate::engine::inspect::container(engine, &found.id).await {
        Ok(Some(v)) => {
            v.pointer("/State/Running")
                .and_then(serde_json::Value::as_bool)
                == Some(false)
        }
        _ => false,
    }
}

/// As [`find`], for actions and probes, which report a problem as a sentence.
pub async fn find_or_say(ctx: &RunContext, target: &Target) -> Result<Found, String> {
    find(ctx, target).await.map_err(|o| o.message)
}

pub async fn find_service(ctx: &RunContext, service: &str) -> Result<Found, Outcome> {
    let engine = ctx.engine().map_err(Outcome::error)?;
    match find::service(engine, &ctx.project, service).await {
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(Outcome::error(format!(
            "the lab's service {service} has no container (project {}); `lab start` brings it back",
            ctx.project
        ))),
        Err(e) => Err(Outcome::error(format!("could not list containers: {e}"))),
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
    let found = find_or_say(ctx, &Target::Service(from.to_string())).await?;
    let req = ExecRequest {
        cmd,
        ..Default::default()
    };
    let out = exec_in(ctx, &found.id, &req, timeout).await?;
    if out.exit.is_none() && !out.timed_out {
        return Err(format!(
            "the probe in the container of {from} ended, but the engine did not report its exit code"
        ));
    }
    if out.exit == Some(126) || out.exit == Some(127) {
        return Err(format!(
            "the probe needs busybox tools (sh, nc, wget, nslookup) in the container of {from}: {}",
            out.stderr.trim()
        ));
    }
    Ok(out)
}
