//! What makes `lab watch` grade again: the engine reporting a change a student made (its
//! events, minus the grader's own doing and health probes), a file of the workspace
//! changing (notify's native watcher, or polling where native events do not come, e.g.
//! network drives), and a slow tick for what changes with time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use notify::Watcher;
use tokio::sync::mpsc::UnboundedSender;

use crate::engine::events::{EngineEvent, touched_by_lab};
use crate::engine::{Engine, inspect};

/// Why a re-grade happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    Start,
    Docker,
    File,
    Tick,
}

/// Follow the engine's events; send `Docker` for each that a student's action explains.
pub fn engine(engine: Engine, tx: UnboundedSender<Cause>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut probes = HealthProbes::default();
        let mut events = std::pin::pin!(crate::engine::events::stream(&engine));
        while let Some(Ok(e)) = events.next().await {
            if matters(&engine, &mut probes, &e).await && tx.send(Cause::Docker).is_err() {
                return;
            }
        }
    })
}

/// Whether an event is the student's doing: not `lab`'s helpers, probes or actions, not a
/// container's own health probe.
async fn matters(engine: &Engine, probes: &mut HealthProbes, e: &EngineEvent) -> bool {
    if e.helper || e.is_own_exec() || (e.kind == "container" && touched_by_lab(&e.id)) {
        return false;
    }
    if e.action.starts_with("exec_") {
        // An exec's effect is there once it has ended: only its end counts, and only if it
        // was not the container's own health probe (known from its start, which names the
        // command; the end does not).
        let exec = e.exec_id.clone().unwrap_or_default();
        if e.action == "exec_die" {
            return !probes.known_probe(&exec);
        }
        if probes.is_probe(engine, &e.id, &e.command).await {
            probes.remember(exec);
        }
        return false;
    }
    true
}

/// The health test of each container, as the engine reports its exec (`/bin/sh -c …`):
/// the engine runs it every interval, and each run is an exec event. Also the execs seen
/// to be probes, until their end is seen.
#[derive(Default)]
struct HealthProbes(HashMap<String, Option<String>>, HashSet<String>);

impl HealthProbes {
    fn remember(&mut self, exec: String) {
        // Bounded: a probe whose end was missed must not be kept forever.
        if self.1.len() > 4096 {
            self.1.clear();
        }
        self.1.insert(exec);
    }

    fn known_probe(&mut self, exec: &str) -> bool {
        self.1.remove(exec)
    }

    async fn is_probe(&mut self, engine: &Engine, id: &str, command: &str) -> bool {
        if !self.0.contains_key(id) {
            let test = inspect::container(engine, id)
                .await
                .ok()
                .flatten()
                .and_then(|v| {
                    let words: Vec<String> = v
                        .pointer("/Config/Healthcheck/Test")?
                        .as_array()?
                        .iter()
                        .filter_map(|w| w.as_str().map(str::to_string))
                        .collect();
                    match words.as_slice() {
                        [kind, line] if kind == "CMD-SHELL" => Some(format!("/bin/sh -c {line}")),
                        [kind, args @ ..] if kind == "CMD" => Some(args.join(" ")),
                        _ => None,
                    }
                });
            self.0.insert(id.to_string(), test);
        }
        self.0
            .get(id)
            .and_then(Option::as_ref)
            .is_some_and(|t| t.trim() == command.trim())
    }
}

/// Watches the workspace; dropping it stops watching.
pub struct Files {
    _watcher: Box<dyn Watcher + Send>,
    /// Whether it polls (native events are not available there).
    pub polling: bool,
}

/// Watch the workspace, natively, or by polling every `poll` where that is asked for or
/// native events would not come (a network or FUSE file system).
pub fn files(
    workspace: &Path,
    poll: Option<Duration>,
    tx: UnboundedSender<Cause>,
) -> notify::Result<Files> {
    let handler = move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && ev.paths.iter().any(|p| !ignored(p))
            && !matches!(ev.kind, notify::EventKind::Access(_))
        {
            let _ = tx.send(Cause::File);
        }
    };
    let poll = poll.or_else(|| remote_fs(workspace).then_some(Duration::from_secs(1)));
    let mut watcher: Box<dyn Watcher + Send> = match poll {
        Some(every) => Box::new(notify::PollWatcher::new(
            handler,
            notify::Config::default().with_poll_interval(every),
        )?),
        None => Box::new(notify::recommended_watcher(handler)?),
    };
    watcher.watch(workspace, notify::RecursiveMode::Recursive)?;
    Ok(Files {
        _watcher: watcher,
        polling: poll.is_some(),
    })
}

/// Folders whose changes never matter to a check (tools' own bookkeeping).
fn ignored(p: &Path) -> bool {
    p.components().any(|c| {
        matches!(
            c.as_os_str().to_str(),
            Some(".git" | "target" | "node_modules" | ".lab")
        )
    })
}

/// A file system where inotify events do not come: network shares, WSL's Windows drives
/// (9p), FUSE mounts.
#[cfg(target_os = "linux")]
fn remote_fs(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    const NFS: i64 = 0x6969;
    const SMB: i64 = 0x517b;
    const SMB2: i64 = 0xfe53_4d42;
    const CIFS: i64 = 0xff53_4d42;
    const V9FS: i64 = 0x0102_1997;
    const FUSE: i64 = 0x6573_5546;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: statfs(2) fills the zeroed struct we own from a valid C string.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return false;
    }
    #[allow(clippy::unnecessary_cast)]
    let kind = st.f_type as i64;
    [NFS, SMB, SMB2, CIFS, V9FS, FUSE].contains(&kind)
}

#[cfg(not(target_os = "linux"))]
fn remote_fs(_path: &Path) -> bool {
    false
}

/// The workspace's files as they are (size and time of change of each), to tell a
/// student's edit from what grading itself wrote there. Bounded: a workspace of many
/// thousands of files is compared on its first ones.
pub fn snapshot(workspace: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    const LIMIT: usize = 5000;
    let mut out = BTreeMap::new();
    let mut todo = vec![workspace.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if ignored(&path) {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                todo.push(path);
            } else {
                let when = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                out.insert(path, (meta.len(), when));
            }
            if out.len() >= LIMIT {
                return out;
            }
        }
    }
    out
}
