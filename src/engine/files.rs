//! Reading a file out of a container through the engine's archive API, so it works in
//! images without a shell or `cat`.

use std::io::Read;

use bollard::query_parameters::DownloadFromContainerOptions;
use futures_util::StreamExt;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::exec::{ExecRequest, exec};

/// A file (or folder) as found in a container: mode bits and the first bytes.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub mode: u32,
    pub is_dir: bool,
    pub content: Vec<u8>,
}

/// Links followed before a path is taken for a loop (as the kernel's `ELOOP` does, about).
const MOST_LINKS: usize = 40;

/// The file at `path` in the container, at most `cap` bytes of it; `None` when absent (a
/// link that leads nowhere included). A symbolic link is followed, as `cat` and `stat`
/// follow it: the engine's archive follows links on the way to the last part of a path,
/// not the last part itself, and would give the link, with no content and mode 0777.
pub async fn read(
    engine: &Engine,
    id: &str,
    path: &str,
    cap: usize,
) -> Result<Option<FileEntry>, EngineError> {
    let tmpfs = tmpfs_mounts(engine, id).await?;
    let mut now = path.to_string();
    for _ in 0..MOST_LINKS {
        if let Some(running) = tmpfs.holding(&now) {
            // A tmpfs lives in the running container's memory; a stopped one has none.
            return match running {
                true => read_by_exec(engine, id, &now, cap).await,
                false => Ok(None),
            };
        }
        match read_entry(engine, id, &now, cap).await? {
            Some(Entry::Link(to)) => now = resolve(&now, &to),
            Some(Entry::File(f)) => return Ok(Some(f)),
            None => return Ok(None),
        }
    }
    Err(EngineError::Refused(format!(
        "{path} is a symbolic link that leads through more than {MOST_LINKS} links (a loop)"
    )))
}

/// Where a link at `at` that says `to` leads: `to` itself when absolute, else beside `at`.
fn resolve(at: &str, to: &str) -> String {
    if to.starts_with('/') {
        return to.to_string();
    }
    let parent = at
        .trim_end_matches('/')
        .rsplit_once('/')
        .map_or("", |(p, _)| p);
    format!("{parent}/{to}")
}

/// The container's tmpfs mounts, which the engine's archive does not reach: it reads the
/// container's own layers, and answers "not found" for a file on a tmpfs (or gives the
/// file of the image that the tmpfs hides).
struct Tmpfs {
    places: Vec<String>,
    running: bool,
}

impl Tmpfs {
    /// Whether `path` is on one of them: `Some(running)`, or `None` when it is not.
    fn holding(&self, path: &str) -> Option<bool> {
        let path = lexical(path);
        self.places
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
            .then_some(self.running)
    }
}

async fn tmpfs_mounts(engine: &Engine, id: &str) -> Result<Tmpfs, EngineError> {
    let Some(v) = super::inspect::container(engine, id).await? else {
        return Ok(Tmpfs {
            places: Vec::new(),
            running: false,
        });
    };
    // `--tmpfs /run` lands in HostConfig.Tmpfs; `--mount type=tmpfs` in Mounts.
    let mut places: Vec<String> = v
        .pointer("/HostConfig/Tmpfs")
        .and_then(|t| t.as_object())
        .map(|t| t.keys().map(|k| lexical(k)).collect())
        .unwrap_or_default();
    if let Some(mounts) = v.pointer("/Mounts").and_then(|m| m.as_array()) {
        places.extend(
            mounts
                .iter()
                .filter(|m| m.get("Type").and_then(|t| t.as_str()) == Some("tmpfs"))
                .filter_map(|m| m.get("Destination").and_then(|d| d.as_str()))
                .map(lexical),
        );
    }
    let running = v.pointer("/State/Running").and_then(|r| r.as_bool()) == Some(true);
    Ok(Tmpfs { places, running })
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

/// A file on a tmpfs, read by `stat` and `cat` in the container (which follow links as
/// the kernel does). An image without them cannot be read this way, and says so.
async fn read_by_exec(
    engine: &Engine,
    id: &str,
    path: &str,
    cap: usize,
) -> Result<Option<FileEntry>, EngineError> {
    let run = |cmd: &[&str]| {
        let req = ExecRequest {
            cmd: cmd.iter().map(|s| s.to_string()).collect(),
            // As root, as the archive reads: the check sees the file, not the user's rights.
            user: Some("0".into()),
            ..ExecRequest::default()
        };
        async move { exec(engine, id, &req, EXEC_TIME, cap).await }
    };
    let cannot = |tool: &str, why: &str| {
        EngineError::Refused(format!(
            "{path} is on a tmpfs mount, which the engine's archive does not reach; reading it with `{tool}` in the container failed: {}",
            why.trim()
        ))
    };
    let stat = run(&["stat", "-L", "-c", "%f", "--", path]).await?;
    if stat.exit != Some(0) {
        let said = format!("{}{}", stat.stderr, stat.stdout);
        if said.contains("No such file") || said.contains("Not a directory") {
            return Ok(None);
        }
        return Err(cannot("stat", &said));
    }
    let mode = u32::from_str_radix(stat.stdout.trim(), 16)
        .map_err(|_| cannot("stat", &format!("it printed {:?}", stat.stdout.trim())))?;
    let is_dir = mode & 0o170000 == 0o040000;
    let mut content = Vec::new();
    if !is_dir {
        let cat = run(&["cat", "--", path]).await?;
        if cat.exit != Some(0) {
            return Err(cannot("cat", &format!("{}{}", cat.stderr, cat.stdout)));
        }
        content = cat.stdout_bytes;
    }
    Ok(Some(FileEntry {
        mode,
        is_dir,
        content,
    }))
}

/// The engine's time limit for one `stat` or `cat`; the check's own limit is around it.
const EXEC_TIME: std::time::Duration = std::time::Duration::from_secs(30);

fn not_a_folder(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError { message, .. }
            if message.contains("not a directory")
    )
}

/// One archive entry: a file or folder as found, or a link and what it says.
enum Entry {
    File(FileEntry),
    Link(String),
}

async fn read_entry(
    engine: &Engine,
    id: &str,
    path: &str,
    cap: usize,
) -> Result<Option<Entry>, EngineError> {
    let mut stream = engine.api().download_from_container(
        id,
        Some(DownloadFromContainerOptions {
            path: path.to_string(),
        }),
    );
    let mut tar_bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(b) => {
                tar_bytes.extend_from_slice(&b);
                // A header and the capped content are enough; stop reading a huge file.
                if tar_bytes.len() > cap + 4096 {
                    break;
                }
            }
            Err(e) if is_not_found(&e) => return Ok(None),
            // `/etc/passwd/x`: a path through a file is not there, as for `cat`.
            Err(e) if not_a_folder(&e) => return Ok(None),
            Err(e) => {
                return Err(EngineError::engine(format!(
                    "reading {path} from the container"
                ))(e));
            }
        }
    }
    let mut archive = tar::Archive::new(&tar_bytes[..]);
    let mut entries = archive
        .entries()
        .map_err(|e| EngineError::Refused(format!("could not read the archive of {path}: {e}")))?;
    let Some(Ok(mut entry)) = entries.next() else {
        return Ok(None);
    };
    if entry.header().entry_type().is_symlink() {
        let to = entry
            .link_name()
            .ok()
            .flatten()
            .map(|l| l.to_string_lossy().into_owned())
            .filter(|l| !l.is_empty());
        return match to {
            Some(to) => Ok(Some(Entry::Link(to))),
            None => Err(EngineError::Refused(format!(
                "{path} is a symbolic link whose target cannot be read"
            ))),
        };
    }
    let mode = entry.header().mode().unwrap_or(0);
    let is_dir = entry.header().entry_type().is_dir();
    let mut content = Vec::new();
    // A truncated archive (we stopped early) still yields the prefix we kept.
    let _ = (&mut entry).take(cap as u64).read_to_end(&mut content);
    Ok(Some(Entry::File(FileEntry {
        mode,
        is_dir,
        content,
    })))
}

#[cfg(test)]
mod tests {
    use super::{lexical, resolve};

    #[test]
    fn paths_are_read_as_written() {
        assert_eq!(lexical("/etc/../usr//lib/./x"), "/usr/lib/x");
        assert_eq!(lexical("/run/"), "/run");
        assert_eq!(lexical("/../a"), "/a");
    }

    #[test]
    fn links_lead_from_beside_them_or_from_the_root() {
        assert_eq!(
            resolve("/etc/os-release", "../usr/lib/os-release"),
            "/etc/../usr/lib/os-release"
        );
        assert_eq!(resolve("/srv/app/current", "/srv/app/v2"), "/srv/app/v2");
        assert_eq!(resolve("/a/b/link", "c"), "/a/b/c");
        assert_eq!(resolve("/link", "target"), "/target");
    }
}
