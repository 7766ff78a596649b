//! `lab images`: every image a course needs, so an instructor can get them all once
//! (`pull`), put them in one archive (`save`) and hand that to a classroom that has no
//! registry (`load`). What a lab needs is read from its plan, exactly as `lab start` makes
//! it: the images its services pull, the ones it builds (named after the project, as a
//! start names them), the bases those builds start `FROM`, and the helper image checks run.

use std::path::Path;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::engine::archive::{self, ArchiveError};
use crate::engine::plan::ImagePlan;
use crate::engine::{Engine, EngineError, HELPER_IMAGE, ProgressSink, images, plan, transfer};
use crate::model::{Course, Lab, PullPolicy};

/// What an image is to the course (one image can be several: a base that a lab also runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A service's `image:`, pulled when missing.
    Pulled,
    /// A service's `build:`, built from the lab's own files.
    Built,
    /// What a build starts `FROM`: the build needs it, and a machine with no registry
    /// cannot fetch it then.
    Base,
    /// The image `lab`'s own probes and helpers run.
    Helper,
}

/// One image the course needs, and whether the engine has it.
#[derive(Debug, Clone, Serialize)]
pub struct Needed {
    pub name: String,
    /// In a fixed order (pulled, built, base, helper), each once.
    pub kinds: Vec<Kind>,
    /// A built image's context, relative to the course's folder (`labs/week2/files/app`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_from: Option<String>,
    /// The labs that use it, in course order.
    pub labs: Vec<String>,
    /// Filled by [`look`].
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// How to get it: pull (with the lab's policy) or build.
    #[serde(skip)]
    plan: ImagePlan,
}

impl Needed {
    pub fn is_built(&self) -> bool {
        self.plan.build.is_some()
    }
}

/// The images `labs` need. Built images are named after the project each lab is started
/// in: `project` when given (one lab, started with `--project`), else the lab's id.
pub fn needed(
    course: &Course,
    labs: &[&Lab],
    project: Option<&str>,
) -> Result<Vec<Needed>, EngineError> {
    let mut out: Vec<Needed> = Vec::new();
    for lab in labs {
        let p = plan(lab, &course.id, project.unwrap_or(&lab.id))?;
        for img in &p.images {
            let kind = if img.build.is_some() {
                Kind::Built
            } else {
                Kind::Pulled
            };
            let from = img.build.as_ref().map(|b| {
                b.context
                    .strip_prefix(&course.root)
                    .unwrap_or(&b.context)
                    .display()
                    .to_string()
            });
            add(&mut out, img.clone(), kind, from, &lab.id);
            for base in img.build.iter().flat_map(transfer::build_bases) {
                add(&mut out, pull_plan(&base), Kind::Base, None, &lab.id);
            }
        }
        add(
            &mut out,
            pull_plan(HELPER_IMAGE),
            Kind::Helper,
            None,
            &lab.id,
        );
    }
    Ok(out)
}

fn pull_plan(name: &str) -> ImagePlan {
    ImagePlan {
        name: name.to_string(),
        pull_policy: PullPolicy::Missing,
        build: None,
    }
}

/// Record that `lab` needs `img` as `kind`. An image both built and pulled is built (that
/// is what the lab that builds it does); of several pull policies the most eager wins, so
/// `pull` gets what any lab would.
fn add(out: &mut Vec<Needed>, img: ImagePlan, kind: Kind, from: Option<String>, lab: &str) {
    let i = match out.iter().position(|n| n.name == img.name) {
        Some(i) => i,
        None => {
            out.push(Needed {
                name: img.name.clone(),
                kinds: Vec::new(),
                built_from: None,
                labs: Vec::new(),
                present: false,
                id: None,
                size: None,
                plan: img.clone(),
            });
            out.len() - 1
        }
    };
    let n = &mut out[i];
    if !n.kinds.contains(&kind) {
        n.kinds.push(kind);
        n.kinds.sort();
    }
    if !n.labs.iter().any(|l| l == lab) {
        n.labs.push(lab.to_string());
    }
    if n.built_from.is_none() {
        n.built_from = from;
    }
    if n.plan.build.is_none() && img.build.is_some() {
        n.plan = img;
    } else if n.plan.build.is_none() && eagerness(img.pull_policy) > eagerness(n.plan.pull_policy) {
        n.plan.pull_policy = img.pull_policy;
    }
}

fn eagerness(p: PullPolicy) -> u8 {
    match p {
        PullPolicy::Never => 0,
        PullPolicy::Missing | PullPolicy::Build => 1,
        PullPolicy::Always => 2,
    }
}

/// Ask the engine which of the images it has (and their ids and sizes).
pub async fn look(engine: &Engine, needed: &mut [Needed]) -> Result<(), EngineError> {
    let found = futures_util::future::join_all(
        needed
            .iter()
            .map(|n| archive::present(engine, n.name.as_str())),
    )
    .await;
    for (n, f) in needed.iter_mut().zip(found) {
        let f = f?;
        n.present = f.is_some();
        n.id = f.as_ref().map(|p| p.id.clone());
        n.size = f.map(|p| p.size);
    }
    Ok(())
}

/// What `pull` did for one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    /// It was there, and its policy did not ask for a fresh copy.
    Present,
    Pulled,
    Built,
    /// It could not be had, and why.
    Failed(String),
}

impl Got {
    /// One word for scripts: `present`, `pulled`, `built` or `failed`.
    pub fn word(&self) -> &'static str {
        match self {
            Got::Present => "present",
            Got::Pulled => "pulled",
            Got::Built => "built",
            Got::Failed(_) => "failed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImagesError {
    #[error(
        "{} of the course's images {} not on this machine: {}\n  `lab images pull` gets them (on a machine with a registry), or `lab images save --allow-missing FILE` saves the others.",
        names.len(),
        if names.len() == 1 { "is" } else { "are" },
        names.join(", ")
    )]
    Missing { names: Vec<String> },
    #[error("the labs named need no images: there is nothing to save")]
    Nothing,
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("interrupted")]
    Interrupted,
}

impl ImagesError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ImagesError::Missing { .. } => crate::exit::ENVIRONMENT,
            ImagesError::Nothing => crate::exit::INVALID_INPUT,
            ImagesError::Archive(e) => e.exit_code(),
            ImagesError::Engine(e) => e.exit_code(),
            ImagesError::Interrupted => crate::exit::INTERRUPTED,
        }
    }
}

/// Get every image: first what is pulled (bases and the helper included), then what is
/// built, since builds start from those. One result per image, in `needed`'s order; `look`
/// must have run. Images a rebuild replaced are removed when nothing uses them.
pub async fn pull(
    engine: &Engine,
    needed: &[Needed],
    progress: &ProgressSink,
    cancel: &CancellationToken,
) -> Result<Vec<Got>, ImagesError> {
    let mut got = vec![Got::Present; needed.len()];
    for builds in [false, true] {
        let batch: Vec<usize> = (0..needed.len())
            .filter(|&i| needed[i].is_built() == builds)
            .collect();
        let jobs = batch.iter().map(|&i| async move {
            let n = &needed[i];
            let r = images::ensure(engine, std::slice::from_ref(&n.plan), progress).await;
            (i, r)
        });
        let results = tokio::select! {
            r = futures_util::future::join_all(jobs) => r,
            _ = cancel.cancelled() => return Err(ImagesError::Interrupted),
        };
        let mut replaced = Vec::new();
        for (i, r) in results {
            let n = &needed[i];
            got[i] = match r {
                Ok(e) => {
                    let id = e.ids.get(&n.name);
                    replaced.extend(e.replaced);
                    if n.present && id == n.id.as_ref() {
                        Got::Present
                    } else if builds {
                        Got::Built
                    } else {
                        Got::Pulled
                    }
                }
                Err(e) => Got::Failed(e.to_string()),
            };
        }
        images::remove_replaced(engine, &replaced).await;
    }
    Ok(got)
}

/// What `save` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    pub images: Vec<String>,
    /// Missing from the engine, and so from the archive (only with `allow_missing`).
    pub left_out: Vec<String>,
    pub bytes: u64,
}

/// Write every image of `needed` into one archive at `file` (`look` must have run). With
/// images missing it refuses, unless `allow_missing`: then it saves the others and says
/// which it left out. Interrupted, it leaves nothing behind.
pub async fn save(
    engine: &Engine,
    needed: &[Needed],
    file: &Path,
    allow_missing: bool,
    progress: &ProgressSink,
    cancel: &CancellationToken,
) -> Result<Saved, ImagesError> {
    archive::folder_for(file)?;
    let (there, missing): (Vec<&Needed>, Vec<&Needed>) = needed.iter().partition(|n| n.present);
    let left_out: Vec<String> = missing.iter().map(|n| n.name.clone()).collect();
    if needed.is_empty() {
        return Err(ImagesError::Nothing);
    }
    if there.is_empty() || (!left_out.is_empty() && !allow_missing) {
        return Err(ImagesError::Missing { names: left_out });
    }
    let images: Vec<String> = there.iter().map(|n| n.name.clone()).collect();
    let bytes = tokio::select! {
        r = archive::save(engine, &images, file, progress) => r?,
        // Dropping the save removes its temporary file.
        _ = cancel.cancelled() => return Err(ImagesError::Interrupted),
    };
    Ok(Saved {
        images,
        left_out,
        bytes,
    })
}

/// Load the archive at `file` into the engine; the names it loaded.
pub async fn load(
    engine: &Engine,
    file: &Path,
    progress: &ProgressSink,
    cancel: &CancellationToken,
) -> Result<Vec<String>, ImagesError> {
    tokio::select! {
        r = archive::load(engine, file, progress) => Ok(r?),
        _ = cancel.cancelled() => Err(ImagesError::Interrupted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{LoadOptions, parse_lab};

    fn lab(root: &Path, id: &str, stack: &str) -> Lab {
        let dir = root.join("labs").join(id);
        std::fs::create_dir_all(dir.join("app")).expect("mkdir");
        std::fs::write(
            dir.join("app/Dockerfile"),
            "FROM alpine:3.20 AS b\nFROM busybox:1.36\n",
        )
        .expect("write");
        let text = format!("---\ntitle: T\n---\n\n```yaml stack\n{stack}```\n");
        parse_lab(
            &text,
            id,
            Path::new("README.md"),
            &dir,
            &LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn what_a_course_needs_each_image_once_with_all_it_is() {
        let root = tempfile::tempdir().expect("dir");
        let one = lab(
            root.path(),
            "one",
            "services:\n  web:\n    image: nginx:1\n    pull_policy: never\n  app:\n    build: app\n",
        );
        let two = lab(
            root.path(),
            "two",
            "services:\n  web:\n    image: nginx:1\n    pull_policy: always\n",
        );
        let course = Course {
            root: root.path().to_path_buf(),
            id: "c".into(),
            title: "C".into(),
            format_version: 1,
            labs: vec![one, two],
        };
        let labs: Vec<&Lab> = course.labs.iter().collect();
        let n = needed(&course, &labs, None).expect("needed");
        let seen: Vec<(&str, &[Kind], String)> = n
            .iter()
            .map(|n| (n.name.as_str(), n.kinds.as_slice(), n.labs.join(",")))
            .collect();
        assert_eq!(
            seen,
            [
                ("nginx:1", &[Kind::Pulled][..], "one,two".to_string()),
                ("one-app:lab", &[Kind::Built][..], "one".into()),
                ("alpine:3.20", &[Kind::Base][..], "one".into()),
                (
                    "busybox:1.36",
                    &[Kind::Base, Kind::Helper][..],
                    "one,two".into()
                ),
            ]
        );
        assert_eq!(n[1].built_from.as_deref(), Some("labs/one/app"));
        // The most eager policy of the labs that pull it.
        assert_eq!(n[0].plan.pull_policy, PullPolicy::Always);
        // A project names the built images.
        let n = needed(&course, &labs[..1], Some("p")).expect("needed");
        assert!(n.iter().any(|n| n.name == "p-app:lab"));
    }
}
