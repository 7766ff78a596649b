//! Looking out from inside a container's network: a short-lived helper container that
//! shares the container's network namespace (so its DNS, its addresses, its view of its
//! peers) runs a script. The container's own image need not have any tools, and nothing is
//! run in the container itself.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptionsBuilder, WaitContainerOptionsBuilder};
use futures_util::StreamExt;

use super::connect::Engine;
use super::control::{HELPER, HelperSpec, remove, start};
use super::error::EngineError;
use super::exec::ExecOutput;
use super::labels;
use super::logs::{LogsRequest, read};

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
    let (engine, id, script) = (engine.clone(), id.to_string(), script.to_string());
    let (image, project, run) = (
        helper.image.to_string(),
        helper.project.to_string(),
        helper.run.to_string(),
    );
    super::inflight::create(helper.run, async move {
        let helper = HelperSpec {
            image: &image,
            project: &project,
            run: &run,
        };
        probe(&engine, &id, &script, &helper, timeout).await
    })
    .await
}

async fn probe(
    engine: &Engine,
    id: &str,
    script: &str,
    helper: &HelperSpec<'_>,
    timeout: Duration,
) -> Result<ExecOutput, EngineError> {
    let docker = engine.api();
    let mut l = HashMap::new();
    l.insert(labels::PROJECT.to_string(), helper.project.to_string());
    l.insert(HELPER.to_string(), helper.run.to_string());
    let body = ContainerCreateBody {
        image: Some(helper.image.to_string()),
        cmd: Some(vec!["sh".into(), "-c".into(), script.to_string()]),
        labels: Some(l),
        host_config: Some(HostConfig {
            network_mode: Some(format!("container:{id}")),
            ..Default::default()
        }),
        ..Default::default()
    };
    let name = format!("{}-lab-probe-{}", helper.project, helper.run);
    let opts = CreateContainerOptionsBuilder::default().name(&name).build();
    let created = docker
        .create_container(Some(opts), body)
        .await
        .map_err(EngineError::engine("creating the network probe"))?;
    let result = async {
        start(engine, &created.id).await?;
        let mut wait = docker.wait_container(
            &created.id,
            Some(WaitContainerOptionsBuilder::default().build()),
        );
        let exit = match tokio::time::timeout(timeout, wait.next()).await {
            Ok(Some(Ok(r))) => Some(r.status_code),
            // A non-zero exit comes as an error of the wait stream; the inspect says which.
            Ok(Some(Err(_))) | Ok(None) => super::inspect::container(engine, &created.id)
                .await?
                .and_then(|v| v.pointer("/State/ExitCode").and_then(|c| c.as_i64())),
            Err(_) => None,
        };
        let out = read(
            engine,
            &created.id,
            &LogsRequest::default(),
            64 * 1024,
            timeout,
        )
        .await?
        .unwrap_or_default();
        Ok(ExecOutput {
            exit,
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::new(),
            truncated: false,
            timed_out: exit.is_none(),
        })
    }
    .await;
    remove(engine, &created.id).await?;
    result
}
