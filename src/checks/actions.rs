//! `before:` actions: change the environment before a check looks at it.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, NetworkConnectRequest,
    NetworkDisconnectRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, RestartContainerOptionsBuilder,
    StopContainerOptionsBuilder, WaitContainerOptionsBuilder,
};
use futures_util::StreamExt;

use super::context::RunContext;
use super::docker::{LABEL_PROJECT, find, is_not_found};
use super::kinds::exec::run_spec;
use crate::model::{Action, Target};

/// Run one action; `Err` says what could not be done (the check then ends in `error`).
pub async fn run(ctx: &RunContext, action: &Action, timeout: Duration) -> Result<(), String> {
    let docker = ctx.docker()?;
    let id = |t: &Target| {
        let t = t.clone();
        async move { find(ctx, &t).await.map(|f| f.id) }
    };
    match action {
        Action::Stop(t) => {
            let id = id(t).await?;
            let opts = StopContainerOptionsBuilder::default().t(2).build();
            docker
                .stop_container(&id, Some(opts))
                .await
                .map_err(|e| format!("stop {t}: {e}"))
        }
        Action::Start(t) => {
            let id = id(t).await?;
            docker
                .start_container(
                    &id,
                    None::<bollard::query_parameters::StartContainerOptions>,
                )
                .await
                .map_err(|e| format!("start {t}: {e}"))
        }
        Action::Restart(t) => {
            let id = id(t).await?;
            let opts = RestartContainerOptionsBuilder::default().t(2).build();
            docker
                .restart_container(&id, Some(opts))
                .await
                .map_err(|e| format!("restart {t}: {e}"))
        }
        Action::Pause(t) => {
            let id = id(t).await?;
            docker
                .pause_container(&id)
                .await
                .map_err(|e| format!("pause {t}: {e}"))
        }
        Action::Unpause(t) => {
            let id = id(t).await?;
            docker
                .unpause_container(&id)
                .await
                .map_err(|e| format!("unpause {t}: {e}"))
        }
        Action::Sleep(d) => {
            tokio::time::sleep(d.0).await;
            Ok(())
        }
        Action::Exec(spec) => {
            let out = run_spec(ctx, spec, timeout).await?;
            match out.exit {
                Some(0) => Ok(()),
                Some(code) => Err(format!(
                    "exec in {} exited {code}: {}",
                    spec.target,
                    out.stderr.trim()
                )),
                None => Err(format!("exec in {} did not finish", spec.target)),
            }
        }
        Action::Kill(k) => crash(ctx, &k.target, &k.signal, timeout).await,
        Action::Connect(c) => {
            let id = id(&c.target).await?;
            let net = network_name(ctx, &c.network).await;
            let req = NetworkConnectRequest {
                container: id,
                endpoint_config: Some(EndpointSettings {
                    aliases: (!c.aliases.is_empty()).then(|| c.aliases.clone()),
                    ..Default::default()
                }),
            };
            docker
                .connect_network(&net, req)
                .await
                .map_err(|e| format!("connect {} to {net}: {e}", c.target))
        }
        Action::Disconnect(c) => {
            let id = id(&c.target).await?;
            let net = network_name(ctx, &c.network).await;
            let req = NetworkDisconnectRequest {
                container: id,
                force: Some(true),
            };
            docker
                .disconnect_network(&net, req)
                .await
                .map_err(|e| format!("disconnect {} from {net}: {e}", c.target))
        }
    }
}

/// The stack's name for a network (`<project>-<name>`) when it exists, else the name as written.
async fn network_name(ctx: &RunContext, name: &str) -> String {
    let scoped = format!("{}-{name}", ctx.project);
    if let Ok(d) = ctx.docker()
        && d.inspect_network(
            &scoped,
            None::<bollard::query_parameters::InspectNetworkOptions>,
        )
        .await
        .is_ok()
    {
        return scoped;
    }
    name.to_string()
}

/// A crash, not a stop: the engine's own kill counts as a manual stop and the restart policy
/// would not apply (Engine 20.10). So signal the main process from the host's PID namespace,
/// with a short-lived helper container.
async fn crash(
    ctx: &RunContext,
    target: &Target,
    signal: &str,
    timeout: Duration,
) -> Result<(), String> {
    let docker = ctx.docker()?;
    let found = find(ctx, target).await?;
    let c = docker
        .inspect_container(&found.id, None)
        .await
        .map_err(|e| format!("kill {target}: {e}"))?;
    let pid = c
        .state
        .as_ref()
        .and_then(|s| s.pid)
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("kill {target}: it is not running"))?;
    let mut labels = HashMap::new();
    labels.insert(LABEL_PROJECT.to_string(), ctx.project.clone());
    labels.insert("io.lab.helper".to_string(), "kill".to_string());
    let body = ContainerCreateBody {
        image: Some(ctx.helper_image.clone()),
        cmd: Some(vec!["kill".into(), format!("-{signal}"), pid.to_string()]),
        labels: Some(labels),
        host_config: Some(HostConfig {
            pid_mode: Some("host".into()),
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let name = format!("{}-lab-kill-{}", ctx.project, std::process::id());
    let opts = CreateContainerOptionsBuilder::default().name(&name).build();
    let created = docker
        .create_container(Some(opts), body)
        .await
        .map_err(|e| format!("kill {target}: could not create the helper: {e}"))?;
    let result = async {
        docker
            .start_container(
                &created.id,
                None::<bollard::query_parameters::StartContainerOptions>,
            )
            .await
            .map_err(|e| format!("kill {target}: could not start the helper: {e}"))?;
        let mut wait = docker.wait_container(
            &created.id,
            Some(WaitContainerOptionsBuilder::default().build()),
        );
        match tokio::time::timeout(timeout, wait.next()).await {
            Ok(Some(Ok(r))) if r.status_code == 0 => Ok(()),
            Ok(Some(Ok(r))) => Err(format!(
                "kill {target}: the helper exited {}",
                r.status_code
            )),
            Ok(Some(Err(e))) => Err(format!("kill {target}: {e}")),
            Ok(None) => Ok(()),
            Err(_) => Err(format!("kill {target}: the helper did not finish")),
        }
    }
    .await;
    let rm = RemoveContainerOptionsBuilder::default().force(true).build();
    if let Err(e) = docker.remove_container(&created.id, Some(rm)).await
        && !is_not_found(&e)
    {
        return Err(format!(
            "kill {target}: could not remove the helper {name}: {e}"
        ));
    }
    result
}
