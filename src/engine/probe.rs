//! Looking out from inside a container's network: a short-lived helper container that
//! shares the container's network namespace (so its DNS, its addresses, its view of its
//! peers) runs a script. The container's own image need not have any tools, and nothing is
//! run in the container itself.

use std::time::Duration;

use bollard::models::HostConfig;

use super::connect::Engine;
use super::control::{HelperJob, HelperSpec, run_helper};
use super::error::EngineError;
use super::exec::ExecOutput;

/// Run `script` (busybox `sh -c`) in the network of running container `id`; its output
/// (stdout and stderr together) and exit code. The helper is removed on every path; if
/// this future is dropped, [`super::control::settled`] and `remove_helpers` of the run
/// account for it.
pub async fn from_inside(
    engine: &Engine,
    id: &str,
    script: &str,
    helper: &HelperSpec<'_>,
    timeout: Duration,
) -> Result<ExecOutput, EngineError> {
    let job = HelperJob {
        what: "the network probe",
        suffix: "probe",
        cmd: vec!["sh".into(), "-c".into(), script.to_string()],
        host_config: HostConfig {
            network_mode: Some(format!("container:{id}")),
            ..Default::default()
        },
        timeout,
        logs: true,
    };
    let end = run_helper(engine, helper, job).await?;
    Ok(ExecOutput {
        exit: end.exit,
        stdout: String::from_utf8_lossy(&end.output).into_owned(),
        stderr: String::new(),
        stdout_bytes: end.output,
        truncated: Default::default(),
        timed_out: end.exit.is_none(),
    })
}
