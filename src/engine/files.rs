//! Reading a file out of a container through the engine's archive API, so it works in
//! images without a shell or `cat`.

use std::io::Read;

use bollard::query_parameters::DownloadFromContainerOptions;
use futures_util::StreamExt;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};

/// A file (or folder) as found in a container: mode bits and the first bytes.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub mode: u32,
    pub is_dir: bool,
    pub content: Vec<u8>,
}

/// The file at `path` in the container, at most `cap` bytes of it; `None` when absent.
pub async fn read(
    engine: &Engine,
    id: &str,
    path: &str,
    cap: usize,
) -> Result<Option<FileEntry>, EngineError> {
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
    let mode = entry.header().mode().unwrap_or(0);
    let is_dir = entry.header().entry_type().is_dir();
    let mut content = Vec::new();
    // A truncated archive (we stopped early) still yields the prefix we kept.
    let _ = (&mut entry).take(cap as u64).read_to_end(&mut content);
    Ok(Some(FileEntry {
        mode,
        is_dir,
        content,
    }))
}
