//! Images: pulled when missing (progress bars only on a terminal) or built from the lab's
//! own `build:` context (tarred in memory, classic builder).

use std::collections::HashMap;

use bollard::Docker;
use bollard::query_parameters::{BuildImageOptionsBuilder, CreateImageOptionsBuilder};
use futures_util::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use super::error::EngineError;
use super::plan::{BuildPlan, ImagePlan};
use crate::checks::docker::is_not_found;
use crate::model::PullPolicy;

/// The label on built images that records what they were built from.
const CONTEXT_HASH: &str = "io.lab.context-hash";

/// Make every image of the plan available, concurrently.
pub async fn ensure(
    docker: &Docker,
    images: &[ImagePlan],
    progress: &MultiProgress,
    live: bool,
) -> Result<(), EngineError> {
    let jobs = images
        .iter()
        .map(|img| ensure_one(docker, img, progress, live));
    for r in futures_util::future::join_all(jobs).await {
        r?;
    }
    Ok(())
}

async fn ensure_one(
    docker: &Docker,
    img: &ImagePlan,
    progress: &MultiProgress,
    live: bool,
) -> Result<(), EngineError> {
    let existing = match docker.inspect_image(&img.name).await {
        Ok(i) => Some(i),
        Err(e) if is_not_found(&e) => None,
        Err(e) => {
            return Err(EngineError::engine(format!(
                "inspecting image {}",
                img.name
            ))(e));
        }
    };
    if let Some(build) = &img.build {
        let (tar, hash) = tar_context(build)?;
        let current = existing
            .as_ref()
            .and_then(|i| i.config.as_ref())
            .and_then(|c| c.labels.as_ref())
            .and_then(|l| l.get(CONTEXT_HASH))
            .cloned();
        if current.as_deref() == Some(hash.as_str()) && img.pull_policy != PullPolicy::Always {
            return Ok(());
        }
        return build_image(docker, &img.name, build, tar, &hash, progress, live).await;
    }
    match (img.pull_policy, existing.is_some()) {
        (PullPolicy::Never, false) => Err(EngineError::ImageUnavailable {
            image: img.name.clone(),
            reason: "the lab says pull_policy: never".into(),
        }),
        (PullPolicy::Always, _) | (_, false) => {
            pull(docker, &img.name, progress, live).await.or_else(|e| {
                // With a local copy, a failed "always" pull is not fatal (offline laptops).
                if existing.is_some() { Ok(()) } else { Err(e) }
            })
        }
        _ => Ok(()),
    }
}

async fn pull(
    docker: &Docker,
    image: &str,
    progress: &MultiProgress,
    live: bool,
) -> Result<(), EngineError> {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n.to_string(), t.to_string()),
        _ => (image.to_string(), "latest".to_string()),
    };
    let opts = CreateImageOptionsBuilder::default()
        .from_image(&name)
        .tag(&tag)
        .build();
    let mut stream = docker.create_image(Some(opts), None, None);
    let mut bars: HashMap<String, ProgressBar> = HashMap::new();
    let style = ProgressStyle::with_template("{prefix:>12} {bar:30} {bytes}/{total_bytes} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                let (Some(id), true) = (info.id.clone(), live) else {
                    continue;
                };
                let bar = bars.entry(id.clone()).or_insert_with(|| {
                    let b = progress.add(ProgressBar::new(0));
                    b.set_style(style.clone());
                    b.set_prefix(id);
                    b
                });
                if let Some(d) = info.progress_detail
                    && let (Some(cur), Some(total)) = (d.current, d.total)
                {
                    bar.set_length(total.max(0) as u64);
                    bar.set_position(cur.max(0) as u64);
                }
                bar.set_message(info.status.unwrap_or_default());
            }
            Err(e) => {
                for b in bars.values() {
                    b.abandon();
                }
                return Err(EngineError::ImageUnavailable {
                    image: image.to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    for b in bars.values() {
        b.finish_and_clear();
    }
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

async fn build_image(
    docker: &Docker,
    name: &str,
    b: &BuildPlan,
    tar: Vec<u8>,
    hash: &str,
    progress: &MultiProgress,
    live: bool,
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
    let spinner = live.then(|| {
        let s = progress.add(ProgressBar::new_spinner());
        s.set_message(format!("building {name}"));
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    });
    let mut stream = docker.build_image(opts, None, Some(bollard::body_full(tar.into())));
    let mut log = String::new();
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(s) = info.stream {
                    log.push_str(&s);
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
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    match failure {
        None => Ok(()),
        Some(e) => {
            let tail: Vec<&str> = log
                .lines()
                .rev()
                .take(15)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Err(EngineError::Build {
                service: b.service.clone(),
                output: format!("{}\n{e}", tail.join("\n")),
            })
        }
    }
}
