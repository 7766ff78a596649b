//! Reading a file out of a container through the engine's archive API, so it works in
//! images without a shell or `cat`.

use std::io::Read;

use bollard::query_parameters::DownloadFromContainerOptions;
use futures_util::StreamExt;

mod tmpfs;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};

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
    let mounts = tmpfs::Mounts::of(engine, id).await?;
    if mounts.read_by_exec(path) {
        match tmpfs::read(engine, id, path, cap).await? {
            tmpfs::ByExec::Read(found) => return Ok(found),
            // The archive would say "not there" of a file that may be there.
            tmpfs::ByExec::NoTools if mounts.on_tmpfs(path) => {
                return Err(EngineError::Refused(format!(
                    "{path} is on a tmpfs, which the engine's archive does not reach, and the container has no `stat` and `cat` to read it with"
                )));
            }
            tmpfs::ByExec::NoTools => {}
        }
    } else if mounts.gone(path) {
        return Ok(None);
    } else if mounts.paused() && mounts.on_tmpfs(path) {
        return Err(EngineError::Refused(format!(
            "{path} is on a tmpfs of a paused container: it can be read when the container runs again (`docker unpause`)"
        )));
    }
    let mut now = path.to_string();
    for _ in 0..MOST_LINKS {
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
    use super::resolve;

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
