//! What a run left on the engine: a snapshot before, a comparison after. What appeared
//! while a submission or a solution ran and is named after the lab (`week1-hello`,
//! `week1-greeter:1.0`) was made by it and is removed; the lab's own images are kept;
//! anything else new is named, not touched.

use crate::checks::equiv::same_image;
use crate::engine::Engine;
use crate::model::Lab;

/// What was on the engine before a submission: objects by kind and name (with their
/// project label), image tags with the ids they name, and every image's id.
#[derive(Default)]
pub struct Snapshot {
    objects: std::collections::BTreeMap<String, Option<String>>,
    images: std::collections::BTreeMap<String, String>,
    /// Whether the engine listed its tags (else none counts as new).
    tags_listed: bool,
    /// `None` when the engine did not list them: then no image counts as new.
    ids: Option<std::collections::BTreeSet<String>>,
}

impl Snapshot {
    pub async fn take(engine: &Engine) -> Snapshot {
        use crate::engine::teardown::{image_ids, image_tags, inventory};
        let (objects, images, ids) =
            tokio::join!(inventory(engine), image_tags(engine), image_ids(engine));
        Snapshot {
            objects: objects.unwrap_or_default(),
            tags_listed: images.is_ok(),
            images: images.unwrap_or_default(),
            ids: ids.ok(),
        }
    }

    /// Of the tags a script's ledger names, those its teardown may remove: the ones that
    /// were not on the engine in this snapshot, nor the lab's own (`keep`). A build or tag
    /// onto a name that was there (the teacher's, a kept lab image) moved it but did not
    /// make it: it is not removed but put back ([`Snapshot::restore_tags`]).
    pub fn new_tags(&self, tags: &[String], keep: &[String]) -> Vec<String> {
        tags.iter()
            .filter(|t| {
                self.tags_listed
                    && self.tagged_before(t).is_none()
                    && !keep.iter().any(|k| same_image(k, t))
            })
            .cloned()
            .collect()
    }

    /// The tag as the engine listed it in this snapshot, and the image it named, when it
    /// names the same image as `tag` (`docker.io/library/app:1` is `app:1`).
    fn tagged_before(&self, tag: &str) -> Option<(&String, &String)> {
        self.images.iter().find(|(t, _)| same_image(t, tag))
    }

    /// Put back the tags a script moved: a name the ledger holds that named another image
    /// in this snapshot (a build or `docker tag` onto `busybox:1.36`, the teacher's image,
    /// a lab image) names that image again, so the next submission starts from what was
    /// there. The script's image, untagged, then goes with its builds. A tag whose image is
    /// gone is removed. Notes for the row when a tag could not be put back.
    pub async fn restore_tags(&self, engine: &Engine, tags: &[String]) -> Vec<String> {
        let mut notes = Vec::new();
        let mut done = std::collections::BTreeSet::new();
        for (tag, id) in tags.iter().filter_map(|t| self.tagged_before(t)) {
            if !done.insert(tag) {
                continue;
            }
            if let Err(e) = crate::engine::images::retag(engine, id, tag).await {
                // The image it named is gone (the script removed it): the tag must not
                // stay on the script's image for the next students.
                let gone = crate::engine::images::untag(engine, tag).await;
                notes.push(format!(
                    "could not put the tag {tag} back on {id} ({e}); {}",
                    if gone {
                        "it was removed"
                    } else {
                        "it could not be removed either"
                    }
                ));
            }
        }
        notes
    }

    /// Remove the images a script built or committed (`built`, ids from the ledger of a
    /// guard that is gone) that were not on the engine in this snapshot, that no running
    /// guard's script made too, and that no tag names now:
    /// only the script can have made them, and nothing can use them by name. A build
    /// whose tag moved to a later one is the usual case. Not forced: one still in use, or
    /// with images built on it that are not removable, stays. Images built on each other
    /// are removed from the top down, one layer per round; the layers a build made on
    /// the way go with it, those that were there before stay.
    pub async fn remove_built(&self, engine: &Engine, built: &[String]) {
        let Some(before) = &self.ids else {
            return;
        };
        let mut left: Vec<&String> = built
            .iter()
            .filter(|id| !before.contains(*id) && !crate::engine::guard::held(engine, id))
            .collect();
        left.sort();
        left.dedup();
        while !left.is_empty() {
            let Ok(untagged) = crate::engine::teardown::untagged(engine, None).await else {
                return;
            };
            let (now, later): (Vec<&String>, Vec<&String>) =
                left.into_iter().partition(|id| untagged.contains(*id));
            if now.is_empty() {
                return;
            }
            let ids: Vec<String> = now.into_iter().cloned().collect();
            crate::engine::images::remove_unnamed(engine, &ids, before).await;
            left = later;
        }
    }

    /// Images `lab` built that no tag names any more (the tag moved while a container
    /// still ran the image, or it was just removed): ones that one of the lab's own tags
    /// (`prefixes`) named in this snapshot, and ones this process built since. They are
    /// ours, and nothing can use them by name. Removed unless a container still runs them
    /// (the engine refuses, and that stands).
    async fn remove_orphaned_builds(&self, engine: &Engine, prefixes: &[String]) {
        let Ok(untagged) = crate::engine::teardown::untagged_builds(engine).await else {
            return;
        };
        let named_before = self
            .images
            .iter()
            .filter(|(tag, _)| prefixes.iter().any(|p| tag.starts_with(p.as_str())))
            .map(|(_, id)| id.clone());
        // What this process built since, unless a build came out as an image that was
        // there before.
        let built_since = crate::engine::images::built_here(engine)
            .into_iter()
            .filter(|id| self.ids.as_ref().is_some_and(|before| !before.contains(id)));
        let mut ours: Vec<String> = named_before
            .chain(built_since)
            .filter(|id| untagged.contains(id))
            .collect();
        ours.sort();
        ours.dedup();
        crate::engine::images::remove_replaced(engine, &ours).await;
    }

    /// What is named after the lab (`week1-…`) and is not the lab's own: a submission
    /// graded beside it could pass on someone else's work.
    pub fn named_after(&self, lab: &str, keep: &[String]) -> Vec<String> {
        let prefix = format!("{lab}-");
        let objects = self
            .objects
            .iter()
            .filter(|(what, label)| {
                label.is_none()
                    && what
                        .split_once(' ')
                        .is_some_and(|(_, n)| n.starts_with(&prefix))
            })
            .map(|(what, _)| what.clone());
        let images = self
            .images
            .keys()
            .filter(|t| t.starts_with(&prefix) && !keep.contains(t))
            .map(|t| format!("image {t}"));
        objects.chain(images).collect()
    }
}

/// What appeared on the engine while the submission ran and is named after the lab (as
/// its tasks name what students make: `week1-hello`, `week1-greeter:1.0`) is the
/// submission's: removed, so the next one starts clean. Anything else new is reported, not
/// touched. `keep` names images and `keep_objects` objects (`network week2-default`) that
/// stay: the lab's own, which the next submission reuses.
pub async fn remove_leftovers(
    engine: &Engine,
    lab: &Lab,
    project: &str,
    before: &Snapshot,
    keep: &[String],
    keep_objects: &[String],
) -> Vec<String> {
    let after = Snapshot::take(engine).await;
    let mut notes = Vec::new();
    let prefixes = [format!("{project}-"), format!("{}-", lab.id)];
    let named = |name: &str| prefixes.iter().any(|p| name.starts_with(p.as_str()));
    let objects = after
        .objects
        .iter()
        // A kept network stays only while it is the lab's (labelled with the project): one
        // a submission removed and made again its own way is a leftover like any other.
        .filter(|(k, label)| {
            let kept = keep_objects.contains(k) && label.as_deref() == Some(project);
            !before.objects.contains_key(*k) && !kept
        })
        .filter_map(|(what, label)| {
            let (kind, name) = what.split_once(' ')?;
            Some((kind, name, label.as_deref() == Some(project) || named(name)))
        });
    let images = after
        .images
        .keys()
        .filter(|t| !before.images.contains_key(*t) && !keep.contains(t))
        .map(|t| ("image", t.as_str(), named(t)));
    // Containers before the networks and volumes they use, images last.
    for (kind, name, ours) in objects.chain(images) {
        if !ours {
            notes.push(format!("left on the engine, not removed: {kind} {name}"));
            continue;
        }
        if let Err(e) = crate::engine::teardown::remove_named(engine, kind, name).await {
            notes.push(format!("could not remove {kind} {name}: {e}"));
        }
    }
    before.remove_orphaned_builds(engine, &prefixes).await;
    notes
}

/// Remove the image tags named after the lab that appeared since `before` (a solution's
/// `week1-greeter:1.0`), keeping the lab's own: `lab stop` does not remove what students
/// build, so whoever ran the solution does. Containers, networks and volumes are left for
/// the caller to find and report.
pub async fn remove_new_images(
    engine: &Engine,
    lab: &Lab,
    project: &str,
    before: &Snapshot,
    keep: &[String],
) {
    let after = Snapshot::take(engine).await;
    // In a project of its own (`--prefix`), the lab's built images are named after that
    // project (`<project>-web:lab`): new, and the run's to remove.
    let prefixes = [format!("{}-", lab.id), format!("{project}-")];
    let new = after.images.keys().filter(|t| {
        prefixes.iter().any(|p| t.starts_with(p.as_str()))
            && !before.images.contains_key(*t)
            && !keep.contains(t)
    });
    for tag in new {
        let _ = crate::engine::teardown::remove_named(engine, "image", tag).await;
    }
    before.remove_orphaned_builds(engine, &prefixes).await;
}

/// The lab's own networks, as a snapshot names them (`network week2-default`): a batch
/// keeps them from one submission to the next.
pub fn lab_networks(course: &str, lab: &Lab) -> Vec<String> {
    crate::engine::plan(lab, course, &lab.id)
        .map(|p| {
            p.networks
                .into_iter()
                .map(|n| format!("network {}", n.name))
                .collect()
        })
        .unwrap_or_default()
}

/// The images the lab itself makes or uses (kept: every start needs them).
pub fn lab_images(course: &str, lab: &Lab) -> Vec<String> {
    crate::engine::plan(lab, course, &lab.id)
        .map(|p| p.images.into_iter().map(|i| i.name).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tags_that_were_not_there_are_the_scripts() {
        let before = Snapshot {
            images: [("postgres:16", "sha256:a"), ("week4-app:v1", "sha256:b")]
                .map(|(t, id)| (t.to_string(), id.to_string()))
                .into(),
            tags_listed: true,
            ..Snapshot::default()
        };
        let ledger: Vec<String> = [
            "postgres:16",
            "docker.io/library/week4-app:v1",
            "week4-app:v2",
            "week4-web:lab",
        ]
        .map(String::from)
        .into();
        let keep = ["week4-web:lab".to_string()];
        assert_eq!(before.new_tags(&ledger, &keep), ["week4-app:v2"]);
        // Tags not listed: none can be proven new.
        let unlisted = Snapshot::default();
        assert!(unlisted.new_tags(&ledger, &keep).is_empty());
    }
}
