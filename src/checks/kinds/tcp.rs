//! `tcp`: a connection opens (or, with `open: false`, does not).

use std::time::Duration;

use super::net::{Behind, host_address, host_port, stopped};
use crate::checks::context::RunContext;
use crate::checks::outcome::{Outcome, Status};
use crate::checks::target::in_service;
use crate::model::{Target, TcpCheck};

pub async fn run(ctx: &RunContext, c: &TcpCheck, timeout: Duration) -> Outcome {
    let probe_timeout = timeout.min(Duration::from_secs(3));
    let (opened, place) = match &c.from {
        Some(from) => {
            let host = c
                .host
                .clone()
                .or_else(|| c.service.clone())
                .unwrap_or_else(|| "127.0.0.1".into());
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
            let (host, port, behind) = match (&c.service, &c.host) {
                (Some(s), _) => {
                    match host_address(ctx, &Target::Service(s.clone()), c.port).await {
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
                        Err(o)
                            if !c.open
                                && o.status == Status::Fail
                                && stopped(ctx, &Target::Service(s.clone())).await =>
                        {
                            return Outcome::pass(format!(
                                "{s} is not running: nothing listens on {}, as expected",
                                c.port
                            ));
                        }
                        Err(o) => return o,
                    }
                }
                (None, Some(h)) => (h.clone(), c.port, None),
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
