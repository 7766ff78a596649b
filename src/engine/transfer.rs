//! Moving images between engines: when submissions are spread over several engines, an
//! engine that lacks an image the lab needs gets it from the first one (`docker save |
//! docker load`, streamed), since no registry may be reachable.

use std::collections::BTreeSet;

use futures_util::StreamExt;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};
use super::plan::{BuildPlan, Plan};

/// The images a lab's plan needs on an engine: its services' images, the base images its
/// builds start `FROM`, and `extra` (the helper image checks use).
pub fn needed(plan: &Plan, extra: &[String]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for img in &plan.images {
        out.insert(img.name.clone());
        if let Some(b) = &img.build {
            out.extend(build_bases(b));
        }
    }
    out.extend(extra.iter().cloned());
    out.into_iter().collect()
}

/// The images a build starts `FROM` (none when its Dockerfile cannot be read: the build
/// will say why).
pub fn build_bases(b: &BuildPlan) -> Vec<String> {
    std::fs::read_to_string(b.context.join(&b.dockerfile))
        .map(|text| bases(&text))
        .unwrap_or_default()
}

/// The images `FROM` lines name, leaving out earlier stages and `scratch`. Bases written
/// with build arguments are left out too: they cannot be known without the build.
fn bases(dockerfile: &str) -> Vec<String> {
    let mut stages = BTreeSet::new();
    let mut out = Vec::new();
    for line in dockerfile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
        {
            continue;
        }
        let rest: Vec<&str> = words[1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        let Some(image) = rest.first() else { continue };
        let lower = image.to_ascii_lowercase();
        if lower != "scratch" && !stages.contains(&lower) && !image.contains('$') {
            out.push(image.to_string());
        }
        if let [_, as_, name] = rest.as_slice()
            && as_.eq_ignore_ascii_case("AS")
        {
            stages.insert(name.to_ascii_lowercase());
        }
    }
    out
}

/// Copy each of `images` that `to` lacks and `from` has; the names copied.
pub async fn copy_missing(
    from: &Engine,
    to: &Engine,
    images: &[String],
) -> Result<Vec<String>, EngineError> {
    let mut copied = Vec::new();
    for name in images {
        if has(to, name).await? || !has(from, name).await? {
            continue;
        }
        let export = from.api().export_image(name);
        let mut load = to.api().import_image_stream(
            bollard::query_parameters::ImportImageOptionsBuilder::default()
                .quiet(true)
                .build(),
            export,
            None,
        );
        while let Some(step) = load.next().await {
            let step = step.map_err(EngineError::engine(format!(
                "copying image {name} to {}",
                to.host()
            )))?;
            if let Some(e) = step.error_detail.and_then(|d| d.message) {
                return Err(EngineError::ImageUnavailable {
                    image: name.clone(),
                    reason: format!("loading it into {} failed: {e}", to.host()),
                });
            }
        }
        copied.push(name.clone());
    }
    Ok(copied)
}

async fn has(engine: &Engine, name: &str) -> Result<bool, EngineError> {
    match engine.api().inspect_image(name).await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(EngineError::engine(format!("inspecting image {name}"))(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::bases;

    #[test]
    fn from_lines() {
        assert_eq!(bases("FROM busybox:1.36\nRUN true\n"), ["busybox:1.36"]);
        assert_eq!(
            bases("from --platform=linux/amd64 busybox:1.36 as build\nFROM build\nFROM scratch\n"),
            ["busybox:1.36"]
        );
        assert!(bases("ARG B=busybox\nFROM $B\n").is_empty());
    }
}
