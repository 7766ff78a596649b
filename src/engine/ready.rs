//! Waiting until a service is what its dependents ask: started, healthy, or completed
//! successfully. Every wait has a deadline; a service that fails says why (state, the last
//! health probes, the last lines of its logs).
//!
//! Healthy: Engine 20.10 runs the first health probe one `interval` after start, so a lab
//! with a 1 s interval would hold its dependents for at least a second. While we wait we
//! also run the service's own health test ourselves (an exec, as the engine does): when it
//! passes, dependents may start. Such a service is then `Probed`, and `confirm` waits for
//! the engine's own "healthy" before `lab start` returns, so what the student sees
//! afterwards is the engine's word, not ours.

use std::time::{Duration, Instant};

use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::{LogsOptionsBuilder, WaitContainerOptionsBuilder};
use futures_util::StreamExt;

use super::connect::Engine;
use super::error::EngineError;
use super::exec::{ExecRequest, exec};
use super::plan::{ContainerPlan, Readiness};

/// How often the state is looked at while waiting.
const POLL: Duration = Duration::from_millis(100);
/// After this long without a passing probe, probe only every `SLOW_PROBE`.
const SLOW_AFTER: Duration = Duration::from_secs(2);
const SLOW_PROBE: Duration = Duration::from_millis(500);
/// The longest one health probe of ours may run (the engine's default timeout is 30 s).
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// How a service became ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ready {
    /// The engine says so (or nothing more than "started" was asked).
    Engine,
    /// Its health test passed when we ran it; the engine's verdict is still to come.
    Probed,
}

/// Wait until the service is what its dependents need.
pub(super) async fn wait_ready(
    engine: &Engine,
    c: &ContainerPlan,
    timeout: Duration,
) -> Result<Ready, EngineError> {
    let deadline = Deadline::after(timeout);
    match c.ready_when {
        Readiness::Started => Ok(Ready::Engine),
        Readiness::Healthy => wait_healthy(engine, c, deadline, true).await,
        Readiness::Completed => wait_completed(engine, c, deadline).await,
    }
}

/// Wait for the engine's own "healthy" of a service whose probe we ran.
pub(super) async fn confirm(
    engine: &Engine,
    c: &ContainerPlan,
    timeout: Duration,
) -> Result<(), EngineError> {
    wait_healthy(engine, c, Deadline::after(timeout), false)
        .await
        .map(|_| ())
}

#[derive(Clone, Copy)]
struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    fn after(total: Duration) -> Self {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }
    fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
    fn passed(&self) -> bool {
        Instant::now() >= self.at
    }
}

/// What a container is, in words: its state and health.
struct Seen {
    status: String,
    health: String,
    exit: Option<i64>,
}

impl Seen {
    fn of(info: &ContainerInspectResponse) -> Seen {
        let state = info.state.clone().unwrap_or_default();
        Seen {
            status: state.status.map(|s| s.to_string()).unwrap_or_default(),
            health: state
                .health
                .as_ref()
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            exit: state.exit_code,
        }
    }

    fn stopped(&self) -> bool {
        self.status == "exited" || self.status == "dead"
    }

    fn describe(&self) -> String {
        match (self.status.as_str(), self.health.as_str()) {
            ("exited", _) => format!("exited with code {}", self.exit.unwrap_or(-1)),
            (s, "" | "none") => s.to_string(),
            (s, h) => format!("{s} and {h}"),
        }
    }
}

async fn inspect(
    engine: &Engine,
    c: &ContainerPlan,
) -> Result<ContainerInspectResponse, EngineError> {
    engine
        .api()
        .inspect_container(&c.name, None)
        .await
        .map_err(EngineError::engine(format!("inspecting {}", c.name)))
}

async fn wait_healthy(
    engine: &Engine,
    c: &ContainerPlan,
    deadline: Deadline,
    probe: bool,
) -> Result<Ready, EngineError> {
    let began = Instant::now();
    let mut next_probe = began;
    loop {
        let info = inspect(engine, c).await?;
        let seen = Seen::of(&info);
        if seen.health == "healthy" {
            return Ok(Ready::Engine);
        }
        let no_check =
            (seen.health.is_empty() || seen.health == "none") && seen.status == "running";
        if seen.health == "unhealthy" || seen.stopped() || no_check {
            let why = if no_check {
                "running without a health check".to_string()
            } else {
                seen.describe()
            };
            return Err(not_ready(engine, c, "healthy", why, &info).await);
        }
        if probe && seen.status == "running" && Instant::now() >= next_probe {
            if probe_passes(engine, &info, deadline).await {
                return Ok(Ready::Probed);
            }
            // Every poll at first (most services are up within a second or two), then
            // less often: each probe is a process in the student's container.
            if began.elapsed() > SLOW_AFTER {
                next_probe = Instant::now() + SLOW_PROBE;
            }
        }
        if deadline.passed() {
            let why = format!("{} after {}s", seen.describe(), deadline.total.as_secs());
            return Err(not_ready(engine, c, "healthy", why, &info).await);
        }
        tokio::time::sleep(POLL.min(deadline.remaining())).await;
    }
}

/// Run the container's own health test (as configured on it: the lab's or the image's).
async fn probe_passes(
    engine: &Engine,
    info: &ContainerInspectResponse,
    deadline: Deadline,
) -> bool {
    let Some(health) = info.config.as_ref().and_then(|c| c.healthcheck.as_ref()) else {
        return false;
    };
    let cmd = match health.test.as_deref() {
        Some([kind, args @ ..]) if kind == "CMD" && !args.is_empty() => args.to_vec(),
        Some([kind, line]) if kind == "CMD-SHELL" => {
            vec!["/bin/sh".into(), "-c".into(), line.clone()]
        }
        _ => return false,
    };
    let limit = match health.timeout {
        Some(n) if n > 0 => Duration::from_nanos(n.unsigned_abs()),
        _ => PROBE_TIMEOUT,
    }
    .min(PROBE_TIMEOUT)
    .min(deadline.remaining());
    let Some(id) = info.id.as_deref() else {
        return false;
    };
    let req = ExecRequest {
        cmd,
        ..Default::default()
    };
    matches!(exec(engine, id, &req, limit, 4096).await, Ok(out) if out.exit == Some(0))
}

/// A one-shot: the wait endpoint answers when it stops (no polling while it runs).
async fn wait_completed(
    engine: &Engine,
    c: &ContainerPlan,
    deadline: Deadline,
) -> Result<Ready, EngineError> {
    loop {
        let opts = WaitContainerOptionsBuilder::default()
            .condition("not-running")
            .build();
        let mut waiting = engine.api().wait_container(&c.name, Some(opts));
        // A non-zero exit comes back as an error of the stream; inspect says which.
        let _ = tokio::time::timeout(deadline.remaining(), waiting.next()).await;
        let info = inspect(engine, c).await?;
        let seen = Seen::of(&info);
        if seen.stopped() {
            if seen.exit == Some(0) {
                return Ok(Ready::Engine);
            }
            return Err(
                not_ready(engine, c, "completed successfully", seen.describe(), &info).await,
            );
        }
        if deadline.passed() {
            let why = format!("{} after {}s", seen.describe(), deadline.total.as_secs());
            return Err(not_ready(engine, c, "completed successfully", why, &info).await);
        }
        // Created or restarting: the wait answered at once; look again shortly.
        tokio::time::sleep(POLL.min(deadline.remaining())).await;
    }
}

/// The failure, with what a person needs to fix it: health log and the last lines of logs.
async fn not_ready(
    engine: &Engine,
    c: &ContainerPlan,
    wanted: &str,
    state: String,
    info: &ContainerInspectResponse,
) -> EngineError {
    let mut details = String::new();
    if let Some(log) = info
        .state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.log.as_ref())
    {
        details.push_str("\n  last health checks:");
        for entry in log.iter().skip(log.len().saturating_sub(3)) {
            let out = entry.output.clone().unwrap_or_default();
            details.push_str(&format!(
                "\n    exit {}: {}",
                entry.exit_code.unwrap_or(-1),
                out.trim()
            ));
        }
    }
    let opts = LogsOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .tail("20")
        .build();
    let mut logs = engine.api().logs(&c.name, Some(opts));
    let mut text = Vec::new();
    // Bounded in time and size: a service that floods its logs must not hold the report.
    let read = async {
        while let Some(Ok(chunk)) = logs.next().await {
            text.extend_from_slice(&chunk.into_bytes());
            if text.len() > 16 * 1024 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    let text = crate::text::printable(&text);
    if !text.trim().is_empty() {
        details.push_str("\n  its last log lines:");
        for l in text.lines() {
            details.push_str(&format!("\n    {l}"));
        }
    } else {
        details.push_str("\n  it logged nothing");
    }
    EngineError::NotReady {
        service: c.display(),
        wanted: wanted.into(),
        state,
        details,
    }
}
