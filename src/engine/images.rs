//! Images: pulled when missing (progress reported as it comes) or built from the lab's own
//! `build:` context (tarred in memory off the async workers, classic builder).

use std::collections::{BTreeSet, HashMap};

use bollard::query_parameters::{BuildImageOptionsBuilder, CreateImageOptionsBuilder};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::labels::CONTEXT_HASH;
use super::plan::{BuildPlan, ImagePlan};
use super::progress::{Progress, ProgressSink};
use crate::model::PullPolicy;
use crate::text::{Capped, Keep};

/// What `ensure` found or made.
#[derive(Debug, Default)]
pub struct Ensured {
    /// Each image of the plan by name, and the id it has now: a container made from an
    /// older id is recreated (a rebuild changes what the service runs).
    pub ids: HashMap<String, String>,
    /// Images `lab` built earlier that a rebuild just replaced (now without a name): removed
    /// once no container uses them, so rebuilds leave nothing dangling.
    pub replaced: Vec<String>,
}

/// The images this process built, by engine and id: provably `lab`'s, whatever becomes
/// of their tags (a script may move one while the lab still runs).
static BUILT: std::sync::Mutex<BTreeSet<(String, String)>> = std::sync::Mutex::new(BTreeSet::new());

/// The images this process built on `engine`, by id.
pub fn built_here(engine: &Engine) -> BTreeSet<String> {
    BUILT
        .lock()
        .map(|b| {
            b.iter()
                .filter(|(host, _)| host == engine.host())
                .map(|(_, id)| id.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Make every image of the plan available, concurrently.
pub async fn ensure(
    engine: &Engine,
    images: &[ImagePlan],
    progress: &ProgressSink,
) -> Result<Ensured, EngineError> {
    let jobs = images.iter().map(|img| ensure_one(engine, img, progress));
    let mut out = Ensured::default();
    for (img, r) in images
        .iter()
        .zip(futures_util::future::join_all(jobs).await)
    {
        let (id, replaced) = r?;
        out.ids.insert(img.name.clone(), id);
        out.replaced.extend(replaced);
    }
    Ok(out)
}

/// The image's id now, and the id of a lab-built image this replaced.
async fn ensure_one(
    engine: &Engine,
    img: &ImagePlan,
    progress: &ProgressSink,
) -> Result<(String, Option<String>), EngineError> {
    let existing = match engine.api().inspect_image(&img.name).await {
        Ok(i) => Some(i),
        Err(e) if is_not_found(&e) => None,
        Err(e) => {
            return Err(EngineError::engine(format!(
                "inspecting image {}",
                img.name
            ))(e));
        }
    };
    let old_id = existing.as_ref().and_then(|i| i.id.clone());
    if let Some(build) = &img.build {
        // Reading and hashing a context is file work: off the async workers.
        let plan = build.clone();
        let (tar, hash) = tokio::task::spawn_blocking(move || tar_context(&plan))
            .await
            .map_err(|e| EngineError::InvalidLab {
                service: build.service.clone(),
                message: format!("packing the build context failed: {e}"),
            })??;
        let current = existing
            .as_ref()
            .and_then(|i| i.config.as_ref())
            .and_then(|c| c.labels.as_ref())
            .and_then(|l| l.get(CONTEXT_HASH))
            .cloned();
        if let Some(id) = &old_id
            && current.as_deref() == Some(hash.as_str())
            && img.pull_policy != PullPolicy::Always
        {
            return Ok((id.clone(), None));
        }
        build_image(engine, &img.name, build, tar, &hash, progress).await?;
        let id = image_id(engine, &img.name).await?;
        if let Ok(mut built) = BUILT.lock() {
            built.insert((engine.host().to_string(), id.clone()));
        }
        // Only what carries our context label was built by `lab`: only that is ours to remove.
        let replaced = old_id.filter(|old| current.is_some() && *old != id);
        return Ok((id, replaced));
    }
    match (img.pull_policy, existing.is_some()) {
        (PullPolicy::Never, false) => {
            return Err(EngineError::ImageUnavailable {
                image: img.name.clone(),
                reason: "the lab says pull_policy: never".into(),
            });
        }
        (PullPolicy::Always, _) | (_, false) => {
            if let Err(e) = pull(engine, &img.name, progress).await {
                // With a local copy, a failed "always" pull is not fatal (offline laptops).
                if existing.is_none() {
                    return Err(e);
                }
            }
        }
        _ => {
            if let Some(id) = old_id {
                return Ok((id, None));
            }
        }
    }
    Ok((image_id(engine, &img.name).await?, None))
}

async fn image_id(engine: &Engine, name: &str) -> Result<String, EngineError> {
    engine
        .api()
        .inspect_image(name)
        .await
        .map_err(EngineError::engine(format!("inspecting image {name}")))
        .map(|i| i.id.unwrap_or_default())
}

/// Point `tag` (`repo:tag`) at the image `id`, unless it names it already.
pub async fn retag(engine: &Engine, id: &str, tag: &str) -> Result<(), EngineError> {
    if engine
        .api()
        .inspect_image(tag)
        .await
        .ok()
        .and_then(|i| i.id)
        == Some(id.to_string())
    {
        return Ok(());
    }
    // The tag is what follows the last ':' after the last '/' (a registry may have a port).
    let (repo, name) = match tag.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (tag, "latest"),
    };
    let opts = bollard::query_parameters::TagImageOptionsBuilder::default()
        .repo(repo)
        .tag(name)
        .build();
    engine
        .api()
        .tag_image(id, Some(opts))
        .await
        .map_err(EngineError::engine(format!("tagging {id} as {tag}")))
}

/// Remove the tag `tag` (the image stays when another name or a container holds it).
pub async fn untag(engine: &Engine, tag: &str) -> bool {
    let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
        .force(false)
        .noprune(true)
        .build();
    engine
        .api()
        .remove_image(tag, Some(opts), None)
        .await
        .is_ok()
}

/// Remove images a rebuild replaced, when nothing uses them any more (a conflict means a
/// container still runs it: it stays, as the engine says).
pub async fn remove_replaced(engine: &Engine, ids: &[String]) {
    for id in ids {
        let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
            .force(false)
            .build();
        let _ = engine.api().remove_image(id, Some(opts), None).await;
    }
}

/// Remove images by id that no tag names, without pruning what they were built on: the
/// engine would also delete untagged parents, and one of those may have been there before
/// (a build reuses what it finds in its cache). Each image's untagged parents go after it,
/// nearest first, up to the first one in `before` (what the engine held before the run).
/// Not forced: an image in use or with other children stays, and ends its chain.
pub async fn remove_unnamed(engine: &Engine, ids: &[String], before: &BTreeSet<String>) {
    let api = engine.api();
    let untagged =
        |i: &bollard::models::ImageInspect| i.repo_tags.as_ref().is_none_or(|t| t.is_empty());
    let remove = |id: String| async move {
        let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
            .force(false)
            .noprune(true)
            .build();
        api.remove_image(&id, Some(opts), None).await.is_ok()
    };
    for id in ids {
        let Ok(top) = api.inspect_image(id).await else {
            continue;
        };
        // The chain is read before the image goes: its history names the images it was
        // built on, nearest first (`<missing>` for layers that came from elsewhere).
        let history = api.image_history(id).await.unwrap_or_default();
        let mut parents = Vec::new();
        for p in history.into_iter().skip(1).map(|h| h.id) {
            if !p.starts_with("sha256:") || before.contains(&p) {
                break;
            }
            match api.inspect_image(&p).await {
                Ok(i) if untagged(&i) => parents.push(p),
                _ => break,
            }
        }
        if !untagged(&top) || !remove(id.clone()).await {
            continue;
        }
        for p in parents {
            if !remove(p).await {
                break;
            }
        }
    }
}

async fn pull(engine: &Engine, image: &str, progress: &ProgressSink) -> Result<(), EngineError> {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n.to_string(), t.to_string()),
        _ => (image.to_string(), "latest".to_string()),
    };
    let opts = CreateImageOptionsBuilder::default()
        .from_image(&name)
        .tag(&tag)
        .build();
    let mut stream = engine.api().create_image(Some(opts), None, None);
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                let Some(layer) = info.id.clone() else {
                    continue;
                };
                let (current, total) = info
                    .progress_detail
                    .map(|d| (d.current.unwrap_or(0), d.total.unwrap_or(0)))
                    .unwrap_or((0, 0));
                progress.emit(Progress::Pulling {
                    image: image.to_string(),
                    layer,
                    status: info.status.unwrap_or_default(),
                    current: current.max(0) as u64,
                    total: total.max(0) as u64,
                });
            }
            Err(e) => {
                return Err(EngineError::ImageUnavailable {
                    image: image.to_string(),
                    reason: super::error::reason(&e),
                });
            }
        }
    }
    progress.emit(Progress::Pulled {
        image: image.to_string(),
    });
    Ok(())
}

/// The build context as an in-memory tar, and a hash of it (to rebuild only on change).
fn tar_context(b: &BuildPlan) -> Result<(Vec<u8>, String), EngineError> {
    let invalid = |m: String| EngineError::InvalidLab {
        service: b.service.clone(),
        message: m,
    };
    if !b.context.is_dir() {
        return Err(invalid(format!(
            "the build context {} is not a folder",
            b.context.display()
        )));
    }
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    builder.append_dir_all(".", &b.context).map_err(|e| {
        invalid(format!(
            "cannot read the build context {}: {e}",
            b.context.display()
        ))
    })?;
    let bytes = builder
        .into_inner()
        .map_err(|e| invalid(format!("cannot pack the build context: {e}")))?;
    let mut h = Sha256::new();
    h.update(&bytes);
    h.update(b.dockerfile.as_bytes());
    let mut args: Vec<_> = b.args.iter().collect();
    args.sort();
    h.update(serde_json::to_vec(&args).unwrap_or_default());
    Ok((bytes, hex::encode(&h.finalize()[..8])))
}

/// The lines of a build's output kept for its error message.
const BUILD_TAIL_LINES: usize = 15;

async fn build_image(
    engine: &Engine,
    name: &str,
    b: &BuildPlan,
    tar: Vec<u8>,
    hash: &str,
    progress: &ProgressSink,
) -> Result<(), EngineError> {
    let mut labels = HashMap::new();
    labels.insert(CONTEXT_HASH.to_string(), hash.to_string());
    let opts = BuildImageOptionsBuilder::default()
        .dockerfile(&b.dockerfile)
        .t(name)
        .rm(true)
        .forcerm(true)
        .buildargs(&b.args)
        .labels(&labels)
        .build();
    progress.emit(Progress::Building {
        image: name.to_string(),
        service: b.service.clone(),
    });
    let mut stream = engine
        .api()
        .build_image(opts, None, Some(bollard::body_full(tar.into())));
    // Only the end of the log is shown on failure: keep that much, whatever the build prints.
    let mut log = Capped::new(64 * 1024, Keep::Tail);
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(s) = info.stream {
                    log.push(s.as_bytes());
                }
                if let Some(e) = info.error_detail.and_then(|d| d.message) {
                    failure = Some(e);
                }
            }
            Err(e) => {
                failure = Some(e.to_string());
                break;
            }
        }
    }
    match failure {
        None => {
            progress.emit(Progress::Built {
                image: name.to_string(),
            });
            Ok(())
        }
        Some(e) => Err(EngineError::Build {
            service: b.service.clone(),
            output: format!(
                "{}\n{e}",
                crate::text::last_lines(&log.text(), BUILD_TAIL_LINES)
            ),
        }),
    }
}
