//! Where network probes go: a service's published port from the host, or its address on
//! a lab network; and probes run inside a peer container (`from:`).

use std::time::Duration;

use serde_json::Value;

use crate::checks::context::RunContext;
use crate::checks::docker::{ExecOutput, ExecRequest, exec, find, inspect_json};
use crate::model::Target;

/// The host and port at which the student's machine reaches `port` of a container: the
/// published port when there is one, else the container's address on its first network.
pub async fn host_address(
    ctx: &RunContext,
    target: &Target,
    port: u16,
) -> Result<(String, u16), String> {
    if *target == Target::Host {
        return Ok(("127.0.0.1".into(), port));
    }
    let found = find(ctx, target).await?;
    let v = inspect_json(ctx.docker()?, &found.id).await?;
    if let Some(bindings) = v
        .pointer(&format!("/NetworkSettings/Ports/{port}~1tcp"))
        .and_then(Value::as_array)
    {
        for b in bindings {
            let ip = b.get("HostIp").and_then(Value::as_str).unwrap_or("");
            if let Some(p) = b
                .get("HostPort")
                .and_then(Value::as_str)
                .and_then(|p| p.parse::<u16>().ok())
            {
                let host = if ip.is_empty() || ip == "0.0.0.0" || ip == "::" {
                    "127.0.0.1"
                } else {
                    ip
                };
                return Ok((host.to_string(), p));
            }
        }
    }
    let ip = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .and_then(|nets| {
            nets.values().find_map(|n| {
                n.get("IPAddress")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
        });
    match ip {
        Some(ip) => Ok((ip.to_string(), port)),
        None => Err(format!(
            "{} has neither a published port {port} nor a network address",
            found.name
        )),
    }
}

/// Run a probe command inside the service `from` (so it sees what a peer container sees).
pub async fn in_service(
    ctx: &RunContext,
    from: &str,
    cmd: Vec<String>,
    timeout: Duration,
) -> Result<ExecOutput, String> {
    let found = find(ctx, &Target::Service(from.to_string())).await?;
    let out = exec(
        ctx.docker()?,
        &found.id,
        &ExecRequest {
            cmd,
            ..Default::default()
        },
        timeout,
        64 * 1024,
    )
    .await?;
    if out.exit == Some(126) || out.exit == Some(127) {
        return Err(format!(
            "the probe needs busybox tools (sh, nc, wget, nslookup) in the container of {from}: {}",
            out.stderr.trim()
        ));
    }
    Ok(out)
}

/// Quote one word for `sh -c`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
