//! `tcp`: a connection opens (or, with `open: false`, does not).

use std::time::Duration;

use super::net::{Behind, host_address, host_port};
use crate::checks::context::RunContext;
use crate::checks::outcome::{Outcome, Status};
use crate::checks::target::{find, in_service, stopped};
use crate::model::{Target, TcpCheck};

pub async fn run(ctx: &RunContext, c: &TcpCheck, timeout: Duration) -> Outcome {
    // A service with replicas: each replica must be open (or closed), as with the other
    // kinds; the service's name would reach only one of them.
    let service = c.host.is_none().then_some(c.service.as_ref()).flatten();
    if let Some((s, &n)) = service.and_then(|s| ctx.replicas.get_key_value(s.as_str())) {
        return super::each_replica(ctx, s, n, |t| probe(ctx, c, Some(t), timeout)).await;
    }
    probe(ctx, c, c.service.clone().map(Target::Service), timeout).await
}

/// One probe: of `target` (a service or one of its replicas) when the check names no host.
async fn probe(
    ctx: &RunContext,
    c: &TcpCheck,
    target: Option<Target>,
    timeout: Duration,
) -> Outcome {
    let probe_timeout = timeout.min(Duration::from_secs(3));
    let (opened, place) = match &c.from {
        Some(from) => {
            let host = match (&c.host, &target) {
                (Some(h), _) => h.clone(),
                // The lab's container must be there, as for every other kind: a removed
                // one is an error, not a closed port.
                (None, Some(t)) => match find(ctx, t).await {
                    Ok(_) => name(ctx, t),
                    Err(o) => return o,
                },
                (None, None) => "127.0.0.1".into(),
            };
            let secs = probe_timeout.as_secs().max(1);
            let script = format!(
                "echo | nc -w {secs} {} {}",
                shell_words::quote(&host),
                c.port
            );
            // `nc -w` may take all its seconds (an address that drops packets): the exec
            // gets a second more, so only a probe that really hangs is cut off.
            let limit = timeout + Duration::from_secs(1);
            match in_service(ctx, from, vec!["sh".into(), "-c".into(), script], limit).await {
                // Cut off: the probe said nothing either way.
                Ok(out) if out.timed_out => {
                    return Outcome::error(format!(
                        "the probe of {host}:{} from {from} did not finish within {}",
                        c.port,
                        crate::model::Dur(timeout)
                    ));
                }
                Ok(out) => (
                    out.exit == Some(0),
                    format!("{host}:{} from {from}", c.port),
                ),
                Err(e) => return Outcome::error(e),
            }
        }
        None => {
            let (host, port, behind) = match (&target, &c.host) {
                (Some(t), None) => {
                    let s = name(ctx, t);
                    match host_address(ctx, t, c.port).await {
                        // "Not open from the host" of a service is about its published
                        // port: without one, nothing is open, whatever its own address
                        // answers over the bridge.
                        Ok(a) if !a.published && !c.open => {
                            return Outcome::pass(format!(
                                "{s} publishes no port {}, as expected",
                                c.port
                            ));
                        }
                        Ok(a) => (a.host, a.port, a.behind),
                        // A stopped container has no address, and nothing in it listens.
                        // (One on the host's network has none either, and its port may be
                        // open: that stays a fail.)
                        Err(o) if !c.open && o.status == Status::Fail && stopped(ctx, t).await => {
                            return Outcome::pass(format!(
                                "{s} is not running: nothing listens on {}, as expected",
                                c.port
                            ));
                        }
                        Err(o) => return o,
                    }
                }
                (_, Some(h)) => (h.clone(), c.port, None),
                (None, None) => ("127.0.0.1".into(), c.port, None),
            };
            let ok = accepts(&host, port, probe_timeout, behind.as_ref(), c.port).await;
            (ok, host_port(&host, port))
        }
    };
    match (c.open, opened) {
        (true, true) => Outcome::pass(format!("{place} accepts connections")),
        (true, false) => Outcome::fail(format!(
            "expected {place} to accept a connection; it did not"
        )),
        (false, false) => Outcome::pass(format!("{place} is unreachable, as expected")),
        (false, true) => Outcome::fail(format!(
            "expected {place} to be unreachable; a connection opened"
        )),
    }
}

/// The name a probe uses for a service, or for one replica its container's name (which
/// resolves on the lab's networks, as in Compose).
fn name(ctx: &RunContext, t: &Target) -> String {
    match t {
        Target::Replica(s, i) => crate::engine::plan::replica_name(&ctx.project, s, *i),
        Target::Service(s) | Target::Container(s) => s.clone(),
        Target::Host => "127.0.0.1".into(),
    }
}

/// How long the container's own address may take to answer before it counts as not
/// reachable from here.
const INNER_LIMIT: Duration = Duration::from_millis(500);

/// How long a connection to a published port must stay open (or be spoken on) to count,
/// when the container's own address cannot be asked.
const PROXY_SETTLE: Duration = Duration::from_millis(300);

/// Whether a connection to `host:port` opens. Through the engine's proxy (`behind`) that
/// is not enough: the proxy accepts first and only then connects to the container, and
/// closes at once when nothing listens there (a student's app bound to 127.0.0.1 inside
/// its container, a wrong container port). The container's own address on `inner_port`
/// then says whether something listens; where it cannot be reached (Docker Desktop), a
/// connection that holds, or that the server speaks on, counts.
async fn accepts(
    host: &str,
    port: u16,
    limit: Duration,
    behind: Option<&Behind>,
    inner_port: u16,
) -> bool {
    let connect = tokio::net::TcpStream::connect((host, port));
    let Ok(Ok(stream)) = tokio::time::timeout(limit, connect).await else {
        return false;
    };
    let Some(behind) = behind else {
        return true;
    };
    if let Some(ip) = &behind.address {
        // A host that reaches the container answers at once, either way; one that does not
        // (Docker Desktop) may not answer at all, and must not cost the check its time.
        let inner = tokio::net::TcpStream::connect((ip.as_str(), inner_port));
        match tokio::time::timeout(limit.min(INNER_LIMIT), inner).await {
            Ok(Ok(_)) => return true,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return false,
            // Not reachable from here: the proxy's connection decides.
            _ => {}
        }
    }
    let mut first = [0u8; 1];
    match tokio::time::timeout(PROXY_SETTLE, stream.peek(&mut first)).await {
        // Still open and quiet, as a server waiting for its client is.
        Err(_) => true,
        // It spoke first (a greeting), or closed at once.
        Ok(Ok(n)) => n > 0,
        Ok(Err(_)) => false,
    }
}
