//! What happens on the engine, as it happens (the `/events` stream): containers, networks,
//! volumes and images created, started, stopped, connected, removed; execs run. `lab watch`
//! re-grades on them. The execs `lab` itself runs (its probes) are marked here when made,
//! so a watcher can tell them from a student's `docker exec` and not re-grade forever.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use bollard::models::EventMessageTypeEnum;
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::{Stream, StreamExt};

use super::connect::Engine;
use super::error::EngineError;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineEvent {
    /// container, network, volume, image.
    pub kind: String,
    /// create, start, die, connect, exec_start, … (the engine's words, without arguments).
    pub action: String,
    /// The object's id (for an exec: its container's).
    pub id: String,
    /// The object's name, when the engine says it.
    pub name: String,
    /// For exec events: the exec's id.
    pub exec_id: Option<String>,
    /// For exec events: the command, as the engine reports it (health probes are execs).
    pub command: String,
    /// Set on `lab`'s own helper containers.
    pub helper: bool,
}

impl EngineEvent {
    /// An exec that `lab` itself started (a probe of a check).
    pub fn is_own_exec(&self) -> bool {
        self.exec_id.as_deref().is_some_and(is_own_exec)
    }
}

/// Containers `lab`'s own actions touched (stopped, started, crashed, connected), and when:
/// what happens to them soon after is the grader's doing (a restart policy bringing a
/// crashed container back included), not the student's.
static OWN_TOUCHES: LazyLock<Mutex<std::collections::HashMap<String, std::time::Instant>>> =
    LazyLock::new(|| Mutex::new(std::collections::HashMap::new()));

/// How long after `lab` touched a container its events are taken as the grader's.
pub const OWN_TOUCH_WINDOW: std::time::Duration = std::time::Duration::from_secs(5);

pub fn mark_own_touch(id: &str) {
    if let Ok(mut t) = OWN_TOUCHES.lock() {
        let now = std::time::Instant::now();
        t.retain(|_, at| now.duration_since(*at) < OWN_TOUCH_WINDOW * 4);
        t.insert(id.to_string(), now);
    }
}

/// Whether `lab` touched this container (by id or name) within [`OWN_TOUCH_WINDOW`].
pub fn touched_by_lab(id: &str) -> bool {
    OWN_TOUCHES.lock().is_ok_and(|t| {
        t.iter().any(|(k, at)| {
            (k == id
                || (id.len() >= 12 && k.starts_with(id))
                || (k.len() >= 12 && id.starts_with(k.as_str())))
                && at.elapsed() < OWN_TOUCH_WINDOW
        })
    })
}

/// Exec ids `lab` made, for `is_own_exec` (bounded: old ones are dropped).
static OWN_EXECS: LazyLock<Mutex<(HashSet<String>, Vec<String>)>> =
    LazyLock::new(|| Mutex::new((HashSet::new(), Vec::new())));

const OWN_EXECS_KEPT: usize = 4096;

pub(super) fn mark_own_exec(id: &str) {
    if let Ok(mut own) = OWN_EXECS.lock() {
        let (set, order) = &mut *own;
        if set.insert(id.to_string()) {
            order.push(id.to_string());
        }
        if order.len() > OWN_EXECS_KEPT {
            let old = order.remove(0);
            set.remove(&old);
        }
    }
}

fn is_own_exec(id: &str) -> bool {
    OWN_EXECS.lock().is_ok_and(|own| own.0.contains(id))
}

/// The engine's events from now on, of the kinds a lab is made of.
pub fn stream(
    engine: &Engine,
) -> impl Stream<Item = Result<EngineEvent, EngineError>> + Send + use<> {
    let mut filters = std::collections::HashMap::new();
    filters.insert(
        "type".to_string(),
        vec![
            "container".to_string(),
            "network".to_string(),
            "volume".to_string(),
            "image".to_string(),
        ],
    );
    let opts = EventsOptionsBuilder::default().filters(&filters).build();
    engine.api().events(Some(opts)).map(|item| {
        let msg = item.map_err(EngineError::engine("following the engine's events"))?;
        let kind = match msg.typ {
            Some(EventMessageTypeEnum::CONTAINER) => "container",
            Some(EventMessageTypeEnum::NETWORK) => "network",
            Some(EventMessageTypeEnum::VOLUME) => "volume",
            Some(EventMessageTypeEnum::IMAGE) => "image",
            _ => "other",
        };
        let actor = msg.actor.unwrap_or_default();
        let attrs = actor.attributes.unwrap_or_default();
        // "exec_start: sh -c …": the action, then (for execs) the command.
        let full = msg.action.unwrap_or_default();
        let (action, command) = match full.split_once(':') {
            Some((a, c)) => (a.trim().to_string(), c.trim().to_string()),
            None => (full.trim().to_string(), String::new()),
        };
        Ok(EngineEvent {
            kind: kind.to_string(),
            action,
            id: actor.id.unwrap_or_default(),
            name: attrs.get("name").cloned().unwrap_or_default(),
            exec_id: attrs.get("execID").cloned(),
            command,
            helper: attrs.contains_key(super::control::HELPER),
        })
    })
}
