//! Files on a tmpfs, which the engine's archive does not reach: it reads the container's
//! layers and volumes, answers "not found" for a file on a tmpfs, and gives the image's
//! file where a tmpfs hides it. A running container with a tmpfs is read as `cat` reads
//! it, in the container, where the kernel resolves links and mounts; a stopped one has
//! nothing on its tmpfs.

use std::time::Duration;

use super::FileEntry;
use crate::engine::connect::Engine;
use crate::engine::error::EngineError;
use crate::engine::exec::{ExecOutput, ExecRequest, exec};

/// The container's mounts, deepest last, as far as they say where a file is kept.
pub struct Mounts {
    /// Each mount's place and whether it is a tmpfs.
    places: Vec<(String, bool)>,
    /// Running, not between two runs of a restart policy (its tmpfs gone then).
    running: bool,
    /// Running but paused: no command runs in it, and its tmpfs keeps its files.
    paused: bool,
    /// A tmpfs given with `--tmpfs` or `--mount type=tmpfs` (`/dev` and `/dev/shm` are
    /// in every container and asked for by path).
    any_tmpfs: bool,
}

impl Mounts {
    pub async fn of(engine: &Engine, id: &str) -> Result<Mounts, EngineError> {
        let v = crate::engine::inspect::container(engine, id)
            .await?
            .unwrap_or_default();
        // Every container has a tmpfs at /dev (and /dev/shm) that neither list shows.
        let mut places = vec![("/dev".to_string(), true), ("/dev/shm".to_string(), true)];
        let mut any_tmpfs = false;
        // `--tmpfs /run` lands in HostConfig.Tmpfs; the rest, tmpfs too, in Mounts.
        if let Some(t) = v.pointer("/HostConfig/Tmpfs").and_then(|t| t.as_object()) {
            any_tmpfs |= !t.is_empty();
            places.extend(t.keys().map(|k| (lexical(k), true)));
        }
        if let Some(mounts) = v.pointer("/Mounts").and_then(|m| m.as_array()) {
            for m in mounts {
                let Some(place) = m.get("Destination").and_then(|d| d.as_str()) else {
                    continue;
                };
                let tmpfs = m.get("Type").and_then(|t| t.as_str()) == Some("tmpfs");
                any_tmpfs |= tmpfs;
                places.push((lexical(place), tmpfs));
            }
        }
        places.sort_by_key(|(p, _)| p.len());
        let state =
            |k: &str| v.pointer(&format!("/State/{k}")).and_then(|r| r.as_bool()) == Some(true);
        Ok(Mounts {
            places,
            running: state("Running") && !state("Restarting"),
            paused: state("Paused"),
            any_tmpfs,
        })
    }

    /// Whether `path` is read in the container rather than through the archive: in a
    /// running container with a tmpfs, or under /dev. Through links and nested mounts
    /// only the kernel knows whether a path ends on a tmpfs.
    pub fn read_by_exec(&self, path: &str) -> bool {
        self.running
            && !self.paused
            && (self.any_tmpfs
                || self
                    .deepest(path)
                    .is_some_and(|(p, _)| p == "/dev" || p == "/dev/shm"))
    }

    /// Whether `path` is on a tmpfs of a stopped container: gone with it. The deepest mount
    /// holding it decides (a volume inside a tmpfs keeps its files).
    pub fn gone(&self, path: &str) -> bool {
        !self.running && self.on_tmpfs(path)
    }

    /// Whether the deepest mount holding `path`, as written, is a tmpfs.
    pub fn on_tmpfs(&self, path: &str) -> bool {
        self.deepest(path).is_some_and(|(_, tmpfs)| *tmpfs)
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    fn deepest(&self, path: &str) -> Option<&(String, bool)> {
        let path = lexical(path);
        self.places
            .iter()
            .rev()
            .find(|(p, _)| path == *p || path.starts_with(&format!("{p}/")))
    }
}

/// What reading in the container gave.
pub enum ByExec {
    /// The file (`None`: not there).
    Read(Option<FileEntry>),
    /// The image has no `stat` or `cat`: the archive is all there is.
    NoTools,
}

/// The engine's time limit for one `stat` or `cat`; the check's own limit is around it.
const EXEC_TIME: Duration = Duration::from_secs(30);

/// The file as `stat -L` and `cat` in the container see it: as root, as the archive
/// reads; as the container's own user when root may not (all capabilities dropped).
pub async fn read(
    engine: &Engine,
    id: &str,
    path: &str,
    cap: usize,
) -> Result<ByExec, EngineError> {
    if let Some(r) = read_as(engine, id, path, cap, Some("0")).await? {
        return Ok(r);
    }
    read_as(engine, id, path, cap, None).await?.ok_or_else(|| {
        EngineError::Refused(format!(
            "{path} is on a tmpfs, which the engine's archive does not reach, and may not be read in the container, as root or as its user"
        ))
    })
}

/// `None`: permission was denied.
async fn read_as(
    engine: &Engine,
    id: &str,
    path: &str,
    cap: usize,
    user: Option<&str>,
) -> Result<Option<ByExec>, EngineError> {
    let run = |cmd: &[&str]| {
        let req = ExecRequest {
            cmd: cmd.iter().map(|s| s.to_string()).collect(),
            user: user.map(str::to_string),
            ..ExecRequest::default()
        };
        async move { exec(engine, id, &req, EXEC_TIME, cap).await }
    };
    let stat = run(&["stat", "-L", "-c", "%f", "--", path]).await?;
    if let Err(stop) = ended(path, "stat", &stat) {
        return stop.found();
    }
    let mode = u32::from_str_radix(stat.stdout.trim(), 16).map_err(|_| {
        cannot(
            path,
            "stat",
            &format!("it printed {:?}", stat.stdout.trim()),
        )
    })?;
    let is_dir = mode & 0o170000 == 0o040000;
    // Only a regular file is read: `cat` on a socket fails, on a device or a pipe it may
    // never end (and goes on after the check). The archive gave them no content either.
    let content = if mode & 0o170000 == 0o100000 {
        let cat = run(&["cat", "--", path]).await?;
        if let Err(stop) = ended(path, "cat", &cat) {
            return stop.found();
        }
        cat.stdout_bytes
    } else {
        Vec::new()
    };
    Ok(Some(ByExec::Read(Some(FileEntry {
        mode,
        is_dir,
        content,
    }))))
}

/// Why a `stat` or `cat` did not succeed.
enum Stop {
    Absent,
    NoTool,
    Denied,
    Failed(EngineError),
}

impl Stop {
    /// What it says of the file (`None`: permission was denied).
    fn found(self) -> Result<Option<ByExec>, EngineError> {
        match self {
            Stop::Absent => Ok(Some(ByExec::Read(None))),
            Stop::NoTool => Ok(Some(ByExec::NoTools)),
            Stop::Denied => Ok(None),
            Stop::Failed(e) => Err(e),
        }
    }
}

/// How a `stat` or `cat` ended, from its exit code and what it said.
fn ended(path: &str, tool: &str, o: &ExecOutput) -> Result<(), Stop> {
    // The runtime says why a program could not start on stdout; the program, on stderr.
    let err = &o.stderr;
    let said = if err.trim().is_empty() {
        &o.stdout
    } else {
        err
    };
    Err(match o.exit {
        Some(0) => return Ok(()),
        Some(126 | 127) if o.stdout.contains("executable file not found") => Stop::NoTool,
        Some(_) if err.contains("Permission denied") => Stop::Denied,
        Some(_) if err.contains("No such file") || err.contains("Not a directory") => Stop::Absent,
        Some(_) => Stop::Failed(cannot(path, tool, said)),
        None if o.timed_out => Stop::Failed(cannot(path, tool, "it did not finish")),
        None => Stop::Failed(cannot(path, tool, "the engine did not say how it ended")),
    })
}

fn cannot(path: &str, tool: &str, why: &str) -> EngineError {
    EngineError::Refused(format!(
        "{path} is on a tmpfs, which the engine's archive does not reach; reading it with `{tool}` in the container failed: {}",
        why.trim()
    ))
}

/// `path` with `.`, `..` and repeated slashes taken out, as written (links are not
/// followed here).
fn lexical(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::{Mounts, lexical};

    #[test]
    fn paths_are_read_as_written() {
        assert_eq!(lexical("/etc/../usr//lib/./x"), "/usr/lib/x");
        assert_eq!(lexical("/run/"), "/run");
        assert_eq!(lexical("/../a"), "/a");
    }

    #[test]
    fn the_deepest_mount_holding_a_path_decides() {
        let m = Mounts {
            places: vec![
                ("/dev".into(), true),
                ("/data".into(), true),
                ("/data/keep".into(), false),
            ],
            running: false,
            paused: false,
            any_tmpfs: true,
        };
        assert!(m.gone("/data/x"));
        assert!(!m.gone("/data/keep/x"));
        assert!(!m.gone("/database/x"));
        assert!(m.gone("/dev/shm/x"));
    }
}
