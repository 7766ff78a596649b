//! `before:` actions: change the environment before a check looks at it. Each records how
//! to put back what it changes (see `restore`).

use std::time::Duration;

use serde_json::Value;

use super::context::RunContext;
use super::kinds::exec::run_spec;
use super::restore::{Undo, aliases, state};
use super::target::find_or_say as find;
use crate::engine::control::{self, HelperSpec};
use crate::engine::{Found, inspect};
use crate::model::{Action, Target};

/// Run one action; `Err` says what could not be done (the check then ends in `error`).
pub async fn run(ctx: &RunContext, action: &Action, timeout: Duration) -> Result<(), String> {
    let engine = ctx.engine()?;
    let target = |t: &Target| {
        let t = t.clone();
        async move { find(ctx, &t).await }
    };
    let status = |f: &Found| {
        let id = f.id.clone();
        async move { state(engine, &id).await.map(|(s, _)| s).unwrap_or_default() }
    };
    let err = |what: String| move |e: crate::engine::EngineError| format!("{what}: {e}");
    match action {
        Action::Stop(t) => {
            let f = target(t).await?;
            if status(&f).await == "running" {
                ctx.restore.push(Undo::Run {
                    id: f.id.clone(),
                    name: f.name.clone(),
                });
            }
            // The container's own grace period: a check of how it stops must not cut it short.
            control::stop(engine, &f.id, None)
                .await
                .map_err(err(format!("stop {t}")))
        }
        Action::Start(t) => {
            let f = target(t).await?;
            if status(&f).await != "running" {
                ctx.restore.push(Undo::Stop {
                    id: f.id.clone(),
                    name: f.name.clone(),
                });
            }
            control::start(engine, &f.id)
                .await
                .map_err(err(format!("start {t}")))
        }
        Action::Restart(t) => {
            let f = target(t).await?;
            control::restart(engine, &f.id, None)
                .await
                .map_err(err(format!("restart {t}")))
        }
        Action::Pause(t) => {
            let f = target(t).await?;
            if status(&f).await != "paused" {
                ctx.restore.push(Undo::Unpause {
                    id: f.id.clone(),
                    name: f.name.clone(),
                });
            }
            control::pause(engine, &f.id)
                .await
                .map_err(err(format!("pause {t}")))
        }
        Action::Unpause(t) => {
            let f = target(t).await?;
            if status(&f).await == "paused" {
                ctx.restore.push(Undo::Pause {
                    id: f.id.clone(),
                    name: f.name.clone(),
                });
            }
            control::unpause(engine, &f.id)
                .await
                .map_err(err(format!("unpause {t}")))
        }
        Action::Sleep(d) => {
            tokio::time::sleep(d.0).await;
            Ok(())
        }
        Action::Exec(spec) => {
            let out = run_spec(ctx, spec, timeout).await.map_err(|o| o.message)?;
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
        Action::Command(script) => {
            // The student's program: how it ends is for the check to judge by its effects.
            super::kinds::command::run_shell(ctx, script, timeout)
                .await
                .map(|_| ())
        }
        Action::Connect(c) => {
            let f = target(&c.target).await?;
            let net = network_name(ctx, &c.network).await;
            let on = state(engine, &f.id)
                .await
                .is_some_and(|(_, nets)| nets.contains(&net));
            if !on {
                ctx.restore.push(Undo::Disconnect {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    network: net.clone(),
                });
            }
            control::connect(engine, &net, &f.id, &c.aliases)
                .await
                .map_err(err(format!("connect {} to {net}", c.target)))
        }
        Action::Disconnect(c) => {
            let f = target(&c.target).await?;
            let net = network_name(ctx, &c.network).await;
            let on = state(engine, &f.id)
                .await
                .is_some_and(|(_, nets)| nets.contains(&net));
            if on {
                ctx.restore.push(Undo::Connect {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    network: net.clone(),
                    aliases: aliases(engine, &f.id, &net).await,
                });
            }
            control::disconnect(engine, &net, &f.id)
                .await
                .map_err(err(format!("disconnect {} from {net}", c.target)))
        }
    }
}

/// The stack's name for a network (`<project>-<name>`) when it exists, else the name as written.
async fn network_name(ctx: &RunContext, name: &str) -> String {
    let scoped = format!("{}-{name}", ctx.project);
    if let Ok(engine) = ctx.engine()
        && let Ok(Some(_)) = inspect::network(engine, &scoped).await
    {
        return scoped;
    }
    name.to_string()
}

/// A crash of the target's main process (see `engine::control::crash`); a container that
/// was running is brought back afterwards if its restart policy does not.
async fn crash(
    ctx: &RunContext,
    target: &Target,
    signal: &str,
    timeout: Duration,
) -> Result<(), String> {
    let engine = ctx.engine()?;
    let found = find(ctx, target).await?;
    let info = inspect::container(engine, &found.id)
        .await
        .map_err(|e| format!("kill {target}: {e}"))?
        .unwrap_or_default();
    let pid = info
        .pointer("/State/Pid")
        .and_then(Value::as_i64)
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("kill {target}: it is not running"))?;
    ctx.restore.push(Undo::Run {
        id: found.id.clone(),
        name: found.name.clone(),
    });
    // Its death and the restart policy's restart are the grader's doing, not the student's.
    crate::engine::events::mark_own_touch(&found.id);
    let helper = HelperSpec {
        image: &ctx.helper_image,
        project: &ctx.project,
        run: &ctx.run,
    };
    control::crash(engine, pid, signal, &helper, timeout)
        .await
        .map_err(|e| format!("kill {target}: {e}"))
}

/// Register an `after:` action as a step of the restore log: it runs when the check is done,
/// or when the run is interrupted.
pub async fn register_after(ctx: &RunContext, action: &Action) -> Result<(), String> {
    // A container that does not exist has nothing to be put back: skip it quietly (the
    // check itself says what is missing).
    let found = |t: &Target| {
        let t = t.clone();
        async move { find(ctx, &t).await.map_err(|_| ()) }
    };
    let Ok(undo) = after_step(ctx, action, found).await else {
        return Ok(());
    };
    if let Some(undo) = undo {
        ctx.restore.push(undo);
    }
    Ok(())
}

async fn after_step<F, Fut>(ctx: &RunContext, action: &Action, found: F) -> Result<Option<Undo>, ()>
where
    F: Fn(&Target) -> Fut,
    Fut: std::future::Future<Output = Result<Found, ()>>,
{
    let undo = match action {
        Action::Start(t) => {
            let f = found(t).await?;
            Undo::Run {
                id: f.id,
                name: f.name,
            }
        }
        Action::Stop(t) => {
            let f = found(t).await?;
            Undo::Stop {
                id: f.id,
                name: f.name,
            }
        }
        Action::Pause(t) => {
            let f = found(t).await?;
            Undo::Pause {
                id: f.id,
                name: f.name,
            }
        }
        Action::Unpause(t) => {
            let f = found(t).await?;
            Undo::Unpause {
                id: f.id,
                name: f.name,
            }
        }
        Action::Exec(spec) => {
            let f = found(&spec.target).await?;
            Undo::Exec {
                id: f.id,
                name: f.name,
                cmd: super::target::argv(&spec.cmd),
                user: spec.user.clone(),
            }
        }
        Action::Connect(c) => {
            let f = found(&c.target).await?;
            Undo::Connect {
                id: f.id,
                name: f.name,
                network: network_name(ctx, &c.network).await,
                aliases: c.aliases.clone(),
            }
        }
        Action::Disconnect(c) => {
            let f = found(&c.target).await?;
            Undo::Disconnect {
                id: f.id,
                name: f.name,
                network: network_name(ctx, &c.network).await,
            }
        }
        // Refused by lint: they say nothing about where to go back to.
        Action::Kill(_) | Action::Restart(_) | Action::Sleep(_) | Action::Command(_) => {
            return Ok(None);
        }
    };
    Ok(Some(undo))
}
