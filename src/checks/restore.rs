//! Putting back what `before:` actions changed. Each action records, before it acts, how
//! to undo its effect; when the check is done (or the run is interrupted) the log is played
//! backwards. Undo steps look at the container's state first, so a restart policy that
//! already brought a container back is left alone.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::engine::{Engine, control, inspect};

/// One way back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// It was running: make it run again (after a stop or a crash).
    Run { id: String, name: String },
    /// It was not running: stop it again (after a start).
    Stop { id: String, name: String },
    /// It was not paused.
    Unpause { id: String, name: String },
    /// It was paused.
    Pause { id: String, name: String },
    /// It was on this network, with these aliases.
    Connect {
        id: String,
        name: String,
        network: String,
        aliases: Vec<String>,
    },
    /// It was not on this network.
    Disconnect {
        id: String,
        name: String,
        network: String,
    },
    /// A command that puts something back (an `after:` exec), run as it is.
    Exec {
        id: String,
        name: String,
        cmd: Vec<String>,
        user: Option<String>,
    },
}

/// The log of one run (shared by its checks and by whoever cleans up after it).
#[derive(Debug, Clone, Default)]
pub struct Restore(Arc<Mutex<Vec<Undo>>>);

impl Restore {
    pub fn push(&self, undo: Undo) {
        if let Ok(mut log) = self.0.lock() {
            log.push(undo);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.lock().map(|l| l.is_empty()).unwrap_or(true)
    }

    /// Undo everything recorded, newest first, and forget it. Returns what could not be
    /// put back, as sentences.
    pub async fn run(&self, engine: &Engine) -> Vec<String> {
        let steps: Vec<Undo> = match self.0.lock() {
            Ok(mut log) => log.drain(..).rev().collect(),
            Err(_) => return vec!["the log of what checks changed was lost".into()],
        };
        let mut problems = Vec::new();
        for step in steps {
            if let Err(e) = undo(engine, &step).await {
                problems.push(e);
            }
        }
        problems
    }
}

/// The container's state and networks now, if it still exists.
pub async fn state(engine: &Engine, id: &str) -> Option<(String, Vec<String>)> {
    let v = inspect::container(engine, id).await.ok()??;
    let status = v
        .pointer("/State/Status")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let nets = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    Some((status, nets))
}

/// The aliases a container has on a network (its own, without the container id).
pub async fn aliases(engine: &Engine, id: &str, network: &str) -> Vec<String> {
    let Ok(Some(v)) = inspect::container(engine, id).await else {
        return Vec::new();
    };
    let short: String = id.chars().take(12).collect();
    v.pointer(&format!("/NetworkSettings/Networks/{network}/Aliases"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| *s != short)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

async fn undo(engine: &Engine, step: &Undo) -> Result<(), String> {
    let id = match step {
        Undo::Run { id, .. }
        | Undo::Stop { id, .. }
        | Undo::Unpause { id, .. }
        | Undo::Pause { id, .. }
        | Undo::Connect { id, .. }
        | Undo::Disconnect { id, .. }
        | Undo::Exec { id, .. } => id,
    };
    // Gone (the student removed it meanwhile): nothing to put back.
    let Some((status, nets)) = state(engine, id).await else {
        return Ok(());
    };
    let r = match step {
        Undo::Run { name, .. } => match status.as_str() {
            "running" | "restarting" => return Ok(()),
            "paused" => control::unpause(engine, id).await.map_err(|e| (name, e)),
            _ => control::start(engine, id).await.map_err(|e| (name, e)),
        },
        Undo::Stop { name, .. } if status == "running" => control::stop(engine, id, Some(2))
            .await
            .map_err(|e| (name, e)),
        Undo::Unpause { name, .. } if status == "paused" => {
            control::unpause(engine, id).await.map_err(|e| (name, e))
        }
        Undo::Pause { name, .. } if status == "running" => {
            control::pause(engine, id).await.map_err(|e| (name, e))
        }
        Undo::Connect {
            name,
            network,
            aliases,
            ..
        } if !nets.contains(network) => control::connect(engine, network, id, aliases)
            .await
            .map_err(|e| (name, e)),
        Undo::Disconnect { name, network, .. } if nets.contains(network) => {
            control::disconnect(engine, network, id)
                .await
                .map_err(|e| (name, e))
        }
        Undo::Exec {
            name, cmd, user, ..
        } if status == "running" => {
            let req = crate::engine::exec::ExecRequest {
                cmd: cmd.clone(),
                user: user.clone(),
                ..Default::default()
            };
            let timeout = std::time::Duration::from_secs(10);
            match crate::engine::exec::exec(engine, id, &req, timeout, 4096).await {
                Ok(out) if out.exit == Some(0) => Ok(()),
                Ok(out) => Err((
                    name,
                    crate::engine::EngineError::Refused(format!(
                        "{} ended with {}",
                        shell_words::join(cmd),
                        out.exit
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| "no exit code".into())
                    )),
                )),
                Err(e) => Err((name, e)),
            }
        }
        _ => return Ok(()),
    };
    r.map_err(|(name, e)| format!("could not put {name} back as it was: {e}"))
}
