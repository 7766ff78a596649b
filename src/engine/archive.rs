//! Image archives: many images in one `docker save`-format tar, for classrooms with no
//! registry. A save streams the engine's export into a temporary file next to the target
//! and renames it at the end, so a failed or interrupted save (the future dropped) leaves no
//! half archive. A load first reads the archive's table of contents, so that a wrong or
//! cut-short file is named as such before the engine is asked, then streams it in.

use std::collections::BTreeSet;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use bollard::query_parameters::ImportImageOptionsBuilder;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::progress::{Progress, ProgressSink};
use crate::exit;

/// An image the engine has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    pub id: String,
    /// Bytes on disk, as `docker images` counts them.
    pub size: u64,
}

/// The image by this name, if the engine has it.
pub async fn present(engine: &Engine, name: &str) -> Result<Option<Present>, EngineError> {
    match engine.api().inspect_image(name).await {
        Ok(i) => Ok(Some(Present {
            id: i.id.unwrap_or_default(),
            size: i.size.unwrap_or(0).max(0) as u64,
        })),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(EngineError::engine(format!("inspecting image {name}"))(e)),
    }
}

/// Why an archive could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The file is there but is not an image archive, or is one cut short.
    #[error("{} is not an image archive as `lab images save` writes: {message}", file.display())]
    NotAnArchive { file: PathBuf, message: String },
    #[error("cannot {doing} {}: {source}", file.display())]
    File {
        file: PathBuf,
        doing: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl ArchiveError {
    /// A file that is not there, not ours to read or write, or not an archive is a wrong
    /// argument (2); a full disk or the engine is the environment (3).
    pub fn exit_code(&self) -> u8 {
        use std::io::ErrorKind as K;
        match self {
            ArchiveError::NotAnArchive { .. } => exit::INVALID_INPUT,
            ArchiveError::File { source, .. } => match source.kind() {
                K::NotFound | K::PermissionDenied | K::IsADirectory | K::NotADirectory => {
                    exit::INVALID_INPUT
                }
                _ => exit::ENVIRONMENT,
            },
            ArchiveError::Engine(e) => e.exit_code(),
        }
    }
}

fn file_error(file: &Path, doing: &'static str) -> impl FnOnce(std::io::Error) -> ArchiveError {
    let file = file.to_path_buf();
    move |source| ArchiveError::File {
        file,
        doing,
        source,
    }
}

/// The folder an archive at `file` goes in, when it is there (checked before any work, so
/// a typo in the path is said at once).
pub fn folder_for(file: &Path) -> Result<&Path, ArchiveError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(file_error(file, "write")(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("there is no folder {}", dir.display()),
        )));
    }
    Ok(dir)
}

/// Write `names` (which the engine must have) into one archive at `file`; its size in
/// bytes. Shared layers are stored once. Dropping the future before it ends removes the
/// temporary file: nothing is left at `file` or beside it.
pub async fn save(
    engine: &Engine,
    names: &[String],
    file: &Path,
    progress: &ProgressSink,
) -> Result<u64, ArchiveError> {
    let dir = folder_for(file)?;
    // Its own error names the temporary file; what matters is why `file` cannot be written.
    let temp = tempfile::Builder::new()
        .prefix(".lab-images-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| file_error(file, "write")(std::io::Error::from(e.kind())))?;
    let handle = temp
        .as_file()
        .try_clone()
        .map_err(file_error(file, "write"))?;
    let mut out = tokio::fs::File::from_std(handle);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut stream = engine.api().export_images(&refs);
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(EngineError::engine(format!(
            "exporting {}",
            names.join(", ")
        )))?;
        out.write_all(&chunk)
            .await
            .map_err(file_error(file, "write"))?;
        bytes += chunk.len() as u64;
        progress.emit(Progress::Saving { bytes });
    }
    out.flush().await.map_err(file_error(file, "write"))?;
    out.sync_all().await.map_err(file_error(file, "write"))?;
    drop(out);
    // The temporary file is private to its owner; an archive is meant to be handed out.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644));
    }
    temp.persist(file)
        .map_err(|e| file_error(file, "write")(e.error))?;
    Ok(bytes)
}

/// What an archive says it holds: the image names it tags (images saved by id have none).
/// `None` for a compressed archive, which the engine reads but this does not.
pub fn contents(file: &Path) -> Result<Option<Vec<String>>, ArchiveError> {
    let mut f = std::fs::File::open(file).map_err(file_error(file, "read"))?;
    let len = f.metadata().map_err(file_error(file, "read"))?.len();
    let not = |message: String| ArchiveError::NotAnArchive {
        file: file.to_path_buf(),
        message,
    };
    let mut magic = [0u8; 4];
    let n = f.read(&mut magic).map_err(file_error(file, "read"))?;
    // gzip, bzip2, xz, zstd: `docker load` takes these as they are.
    if n >= 3
        && (magic[..2] == [0x1f, 0x8b]
            || magic[..3] == *b"BZh"
            || magic[..3] == [0xfd, b'7', b'z']
            || magic == [0x28, 0xb5, 0x2f, 0xfd])
    {
        return Ok(None);
    }
    if len < 512 {
        return Err(not(format!("it is only {len} bytes long")));
    }
    f.rewind().map_err(file_error(file, "read"))?;
    let mut archive = tar::Archive::new(f);
    // The tar crate's own words quote the bytes it choked on: not worth showing.
    let entries = archive
        .entries_with_seek()
        .map_err(|_| not("it is not a tar file".into()))?;
    let mut paths = BTreeSet::new();
    let mut manifest = None;
    for entry in entries {
        let mut entry = entry.map_err(|_| {
            not(if paths.is_empty() {
                "it is not a tar file".into()
            } else {
                format!(
                    "it is damaged after its first {} entries (was it cut short?)",
                    paths.len()
                )
            })
        })?;
        let size = entry.header().size().unwrap_or(0);
        if entry.raw_file_position() + size > len {
            return Err(not(format!(
                "it ends early, at byte {len} (was it cut short while copying?)"
            )));
        }
        let path = entry
            .path()
            .map(|p| p.to_string_lossy().trim_start_matches("./").to_string())
            .unwrap_or_default();
        if path == "manifest.json" {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| not(format!("its manifest.json cannot be read ({e})")))?;
            manifest = Some(text);
        }
        paths.insert(path);
    }
    let Some(text) = manifest else {
        return Err(not(if paths.is_empty() {
            "it is empty or not a tar file".to_string()
        } else {
            "it has no manifest.json (not made by `docker save`, or cut short)".to_string()
        }));
    };
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Entry {
        config: String,
        #[serde(default)]
        repo_tags: Option<Vec<String>>,
        #[serde(default)]
        layers: Vec<String>,
    }
    let images: Vec<Entry> = serde_json::from_str(&text).map_err(|e| {
        not(format!(
            "its manifest.json is not what `docker save` writes ({e})"
        ))
    })?;
    let mut names = Vec::new();
    for image in images {
        if let Some(missing) = std::iter::once(&image.config)
            .chain(&image.layers)
            .find(|p| !paths.contains(p.as_str()))
        {
            return Err(not(format!(
                "its manifest names {missing}, which it does not hold (was it cut short?)"
            )));
        }
        names.extend(image.repo_tags.unwrap_or_default());
    }
    Ok(Some(names))
}

/// Stream the archive at `file` into the engine; the names it loaded, as the engine says
/// them. The file is checked first (see [`contents`]).
pub async fn load(
    engine: &Engine,
    file: &Path,
    progress: &ProgressSink,
) -> Result<Vec<String>, ArchiveError> {
    let path = file.to_path_buf();
    tokio::task::spawn_blocking(move || contents(&path))
        .await
        .map_err(|e| ArchiveError::NotAnArchive {
            file: file.to_path_buf(),
            message: format!("reading it failed: {e}"),
        })??;
    let f = tokio::fs::File::open(file)
        .await
        .map_err(file_error(file, "read"))?;
    let total = f.metadata().await.map_err(file_error(file, "read"))?.len();
    let sink = progress.clone();
    let mut sent = 0u64;
    let body = tokio_util::io::ReaderStream::new(f).map(move |chunk| {
        if let Ok(c) = &chunk {
            sent += c.len() as u64;
            sink.emit(Progress::Loading { bytes: sent, total });
        }
        chunk
    });
    let opts = ImportImageOptionsBuilder::default().quiet(true).build();
    let mut stream = engine.api().import_image_stream(opts, body, None);
    let mut loaded = Vec::new();
    while let Some(step) = stream.next().await {
        let step = step.map_err(EngineError::engine(format!("loading {}", file.display())))?;
        for line in step.stream.as_deref().unwrap_or_default().lines() {
            for prefix in ["Loaded image: ", "Loaded image ID: "] {
                if let Some(name) = line.strip_prefix(prefix) {
                    loaded.push(name.trim().to_string());
                }
            }
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).expect("append");
        }
        b.into_inner().expect("tar")
    }

    fn check(bytes: &[u8]) -> Result<Option<Vec<String>>, ArchiveError> {
        let dir = tempfile::tempdir().expect("dir");
        let f = dir.path().join("a.tar");
        std::fs::write(&f, bytes).expect("write");
        contents(&f)
    }

    #[test]
    fn an_archive_says_what_it_holds_and_a_wrong_file_says_why_not() {
        let manifest =
            br#"[{"Config":"c.json","RepoTags":["a:1","b:2"],"Layers":["l/layer.tar"]}]"#;
        let good = tar_of(&[
            ("c.json", b"{}"),
            ("l/layer.tar", b"x"),
            ("manifest.json", manifest),
        ]);
        assert_eq!(
            check(&good).expect("good").expect("tar"),
            ["a:1".to_string(), "b:2".to_string()]
        );
        let err = |bytes: &[u8]| check(bytes).expect_err("bad").to_string();
        assert!(err(b"hello").contains("only 5 bytes"), "{}", err(b"hello"));
        let text = err(&[b'x'; 2048]);
        assert!(
            text.contains("not a tar file") || text.contains("empty"),
            "{text}"
        );
        let no_manifest = tar_of(&[("c.json", b"{}")]);
        assert!(err(&no_manifest).contains("no manifest.json"));
        let missing = tar_of(&[("c.json", b"{}"), ("manifest.json", manifest)]);
        assert!(err(&missing).contains("l/layer.tar"), "{}", err(&missing));
        // Cut inside the layer's data.
        assert!(
            err(&good[..1536]).contains("ends early"),
            "{}",
            err(&good[..1536])
        );
        assert!(check(&[0x1f, 0x8b, 8, 0]).expect("gz").is_none());
    }
}
