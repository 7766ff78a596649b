//! Where network probes go from the host: a service's published port, or its address on
//! a lab network.

use serde_json::Value;

use crate::checks::context::RunContext;
use crate::checks::outcome::Outcome;
use crate::checks::target::find;
use crate::engine::inspect;
use crate::model::Target;

/// Where the student's machine reaches `port` of a container.
pub struct HostAddress {
    pub host: String,
    pub port: u16,
    /// Through a published port (else the container's own address, which a Linux host
    /// reaches over the bridge and Docker Desktop does not).
    pub published: bool,
    /// Published through the engine's proxy, which accepts a connection before it knows
    /// whether anything listens in the container: the container's own address, where
    /// that can be asked (a Linux host reaches it; Docker Desktop does not).
    pub behind: Option<Behind>,
}

/// What is behind a port the engine's proxy publishes.
pub struct Behind {
    /// The container's own address, when it has one.
    pub address: Option<String>,
}

/// The host and port at which the student's machine reaches `port` of a container: the
/// published port when there is one, else the container's address on its first network.
pub async fn host_address(
    ctx: &RunContext,
    target: &Target,
    port: u16,
) -> Result<HostAddress, Outcome> {
    if *target == Target::Host {
        return Ok(HostAddress {
            host: "127.0.0.1".into(),
            port,
            published: true,
            behind: None,
        });
    }
    let found = find(ctx, target).await?;
    let engine = ctx.engine().map_err(Outcome::error)?;
    let mut v = inspect::container(engine, &found.id)
        .await
        .map_err(|e| Outcome::error(e.to_string()))?
        .ok_or_else(|| Outcome::missing(format!("there is no container {}", found.name)))?;
    let mode = v
        .pointer("/HostConfig/NetworkMode")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    // On the host's network its ports are the host's own.
    if mode == "host" {
        return Ok(HostAddress {
            host: engine.published_host(),
            port,
            published: true,
            behind: None,
        });
    }
    // A sidecar in another container's network (`--network container:web`) listens where
    // that container does.
    if let Some(owner) = mode.strip_prefix("container:") {
        v = inspect::container(engine, owner)
            .await
            .map_err(|e| Outcome::error(e.to_string()))?
            .ok_or_else(|| {
                Outcome::fail(format!(
                    "{} shares the network of {owner}, which is gone",
                    found.name
                ))
            })?;
    }
    let own = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .and_then(|nets| {
            nets.values().find_map(|n| {
                n.get("IPAddress")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
        })
        .map(str::to_string);
    if let Some(bindings) = v
        .pointer(&format!("/NetworkSettings/Ports/{port}~1tcp"))
        .and_then(Value::as_array)
    {
        // `-p [::]:8080:80` publishes on IPv6 only (the engine's proxy does not take IPv4
        // there): it is reached at ::1, not 127.0.0.1. An IPv4 binding is tried first, as
        // `-p 8080:80` lists both.
        let mut v6 = None;
        for b in bindings {
            let ip = b.get("HostIp").and_then(Value::as_str).unwrap_or("");
            let Some(p) = b
                .get("HostPort")
                .and_then(Value::as_str)
                .and_then(|p| p.parse::<u16>().ok())
            else {
                continue;
            };
            let host = match ip {
                "" | "0.0.0.0" => engine.published_host(),
                "::" => match engine.published_host() {
                    h if h == "127.0.0.1" => "::1".to_string(),
                    h => h,
                },
                ip => ip.to_string(),
            };
            let a = HostAddress {
                host,
                port: p,
                published: true,
                behind: Some(Behind {
                    address: own.clone(),
                }),
            };
            if a.host.contains(':') {
                v6.get_or_insert(a);
            } else {
                return Ok(a);
            }
        }
        if let Some(a) = v6 {
            return Ok(a);
        }
    }
    match own {
        Some(ip) => Ok(HostAddress {
            host: ip,
            port,
            published: false,
            behind: None,
        }),
        None => Err(Outcome::fail(format!(
            "{} has neither a published port {port} nor a network address",
            found.name
        ))),
    }
}

/// `host:port` as a URL or a message writes it: an IPv6 address in brackets.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
