//! What Docker treats as the same image reference (LAB_FORMAT §4.6): `busybox:1.36` =
//! `docker.io/library/busybox:1.36` = `index.docker.io/library/busybox:1.36`; no tag means
//! `latest`; a digest (`@sha256:…`) names the image by its content.

/// An image reference in Docker's canonical form: registry, repository path, tag, digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// `docker.io/library/busybox`: the registry always given, lowercase.
    pub name: String,
    /// `Some("latest")` when neither a tag nor a digest was written.
    pub tag: Option<String>,
    /// `sha256:…`, lowercase.
    pub digest: Option<String>,
}

const DEFAULT_REGISTRY: &str = "docker.io";

impl ImageRef {
    /// Read a reference the way the Docker CLI does (`ParseNormalizedNamed`). It never
    /// fails: text that is no valid reference still gets a form that compares only to
    /// itself.
    pub fn parse(reference: &str) -> ImageRef {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_ascii_lowercase())),
            None => (reference, None),
        };
        // A tag follows the last ':' that has no '/' after it (`localhost:5000/app` has none).
        let (path, tag) = match rest.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p, Some(t.to_string())),
            _ => (rest, None),
        };
        let (registry, repo) = match path.split_once('/') {
            // Docker: the first part is a registry when it looks like a host name.
            Some((first, more))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_ascii_lowercase(), more.to_string())
            }
            _ => (DEFAULT_REGISTRY.to_string(), path.to_string()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" => DEFAULT_REGISTRY.to_string(),
            _ => registry,
        };
        let mut repo = repo.to_ascii_lowercase();
        if registry == DEFAULT_REGISTRY && !repo.contains('/') {
            repo = format!("library/{repo}");
        }
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_string()),
            (t, _) => t,
        };
        ImageRef {
            name: format!("{registry}/{repo}"),
            tag,
            digest,
        }
    }

    /// `docker.io/library/busybox:1.36`, `…/busybox@sha256:…` (a digest outranks a tag, as
    /// in Docker, which pulls by digest when both are written).
    pub fn canonical(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => format!("{}@{d}", self.name),
            (None, Some(t)) => format!("{}:{t}", self.name),
            (None, None) => format!("{}:latest", self.name),
        }
    }

    /// Whether two references name the same image. Digests compare by digest; a reference
    /// with a tag and a digest (`busybox:1.36@sha256:…`) also matches the same name and tag
    /// without one, since that is the image its author pinned.
    pub fn same(&self, other: &ImageRef) -> bool {
        if self.name != other.name {
            return false;
        }
        match (&self.digest, &other.digest) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.tag == other.tag,
            // Only one is pinned: the same when the pinned one also gives the same tag.
            (Some(_), None) | (None, Some(_)) => self.tag.is_some() && self.tag == other.tag,
        }
    }
}

/// The canonical text of an image reference: equal texts name the same image.
pub fn image_ref(reference: &str) -> String {
    ImageRef::parse(reference).canonical()
}

/// Whether two image references name the same image (see [`ImageRef::same`]).
pub fn same_image(a: &str, b: &str) -> bool {
    ImageRef::parse(a).same(&ImageRef::parse(b))
}

/// The ways one user setting is written: as set, the user without its group (`app` for
/// `app:app`), and for root (no user, `0`, `root`, with any group) both `root` and `0`.
pub fn user_forms(user: &str) -> Vec<String> {
    let user = user.trim();
    let name = user.split(':').next().unwrap_or_default();
    let mut forms = vec![user.to_string()];
    if name != user {
        forms.push(name.to_string());
    }
    if name.is_empty() || name == "root" || name == "0" {
        forms.extend(["root".to_string(), "0".to_string()]);
    }
    forms.dedup();
    forms
}

/// A user is one name: a plain `user: app` (which decodes as `contains`) asks for that
/// user, not for a name with `app` in it (`webapp`, `rootless` for `root`, `10000` for
/// `1000`). Every `contains` in `m` becomes `equals`, for the verdict and its message.
fn whole_user(m: &crate::model::Matcher) -> crate::model::Matcher {
    use crate::model::{Literal, Matcher};
    match m {
        Matcher::Contains(who) => Matcher::Equals(Literal::Str(who.clone())),
        Matcher::Not(inner) => Matcher::Not(Box::new(whole_user(inner))),
        Matcher::All(ms) => Matcher::All(ms.iter().map(whole_user).collect()),
        Matcher::Any(ms) => Matcher::Any(ms.iter().map(whole_user).collect()),
        other => other.clone(),
    }
}

/// What of `m` a user setting does not meet (the part a message names, with `contains`
/// as `equals`: see [`whole_user`]), or `None` when it meets it all. `equals` asks who
/// the user is, and holds for any form of it (`not: {equals: root}` fails for no user at
/// all, `equals: "1000"` passes for `1000:1000`); a pattern asks how it is written, and
/// sees it as set (no user reads `root`), so `matches: "^[0-9]+$"` is not met by a user
/// nobody set.
pub fn user_unmet(m: &crate::model::Matcher, user: &str) -> Option<crate::model::Matcher> {
    use crate::model::Matcher;
    let m = whole_user(m);
    let forms = user_forms(user);
    let written = if user.trim().split(':').next().unwrap_or_default().is_empty() {
        "root".to_string()
    } else {
        user.trim().to_string()
    };
    let met = |m: &Matcher| {
        crate::checks::matcher::with_leaf(m, &|leaf| match leaf {
            Matcher::Equals(_) => forms.iter().any(|f| crate::checks::matcher::text(leaf, f)),
            _ => crate::checks::matcher::text(leaf, &written),
        })
    };
    (!met(&m)).then(|| crate::checks::words::unmet(&m, &met).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Literal, Matcher};

    #[test]
    fn a_user_is_matched_in_every_form_it_has() {
        let user_matches = |m: &Matcher, user: &str| user_unmet(m, user).is_none();
        let is = |u: &str| Matcher::Equals(Literal::Str(u.into()));
        let not = |m: Matcher| Matcher::Not(Box::new(m));
        for root in ["", "0", "root", "0:0", "root:root", "0:1000"] {
            assert!(user_matches(&is("root"), root), "{root:?}");
            assert!(!user_matches(&not(is("root")), root), "{root:?}");
            assert!(!user_matches(&not(is("0")), root), "{root:?}");
        }
        assert!(user_matches(&is("1000"), "1000:1000"));
        assert!(user_matches(&is("app"), "app:app"));
        assert!(user_matches(&not(is("root")), "app"));
        assert!(user_matches(&not(is("root")), "1000:0"));
        assert!(!user_matches(&is("app"), "1000"));
        // A plain `user: root` is who the user is, not a part of its name.
        let plain = |u: &str| Matcher::Contains(u.into());
        assert!(user_matches(&plain("root"), ""));
        assert!(user_matches(&plain("app"), "app:staff"));
        assert!(!user_matches(&plain("root"), "rootless"));
        assert!(!user_matches(&plain("app"), "webapp"));
        assert!(!user_matches(&plain("1000"), "10000"));
        assert!(user_matches(&not(plain("root")), "rootless"));
        assert!(user_matches(
            &Matcher::Any(vec![plain("app"), plain("web")]),
            "web:web"
        ));
        assert!(!user_matches(&Matcher::All(vec![plain("app")]), "webapp"));
        assert!(user_matches(&Matcher::Matches("^app".into()), "app:staff"));
        // A pattern sees the user as written: no user is not a number, 0 is not a name.
        let numeric = Matcher::Matches("^[0-9]+(:[0-9]+)?$".into());
        assert!(!user_matches(&numeric, ""));
        assert!(!user_matches(&numeric, "root"));
        assert!(user_matches(&numeric, "1000:1000"));
        assert!(!user_matches(&Matcher::Matches("^[a-z]+$".into()), "0"));
        assert!(!user_matches(&not(Matcher::Matches("^root".into())), ""));
    }

    const DIGEST: &str = "sha256:2a03a6059f21e150ae84b0973863609494aad70f0a80eaeb64bddd8d92465812";

    #[test]
    fn docker_hub_short_and_long_forms_are_one_image() {
        let want = "docker.io/library/busybox:1.36";
        for form in [
            "busybox:1.36",
            "library/busybox:1.36",
            "docker.io/busybox:1.36",
            "docker.io/library/busybox:1.36",
            "index.docker.io/library/busybox:1.36",
            "  busybox:1.36 ",
        ] {
            assert_eq!(image_ref(form), want, "{form}");
        }
    }

    #[test]
    fn no_tag_means_latest() {
        assert_eq!(image_ref("busybox"), "docker.io/library/busybox:latest");
        assert!(same_image("busybox", "busybox:latest"));
        assert!(!same_image("busybox", "busybox:1.36"));
    }

    #[test]
    fn other_registries_and_ports_are_kept() {
        assert_eq!(image_ref("ghcr.io/owner/app"), "ghcr.io/owner/app:latest");
        assert_eq!(image_ref("localhost:5000/app:v1"), "localhost:5000/app:v1");
        assert_eq!(image_ref("localhost/app"), "localhost/app:latest");
        assert_eq!(image_ref("owner/app:2"), "docker.io/owner/app:2");
        assert!(!same_image("ghcr.io/library/busybox:1.36", "busybox:1.36"));
    }

    #[test]
    fn digests_compare_by_digest() {
        let pinned = format!("busybox@{DIGEST}");
        assert_eq!(
            image_ref(&pinned),
            format!("docker.io/library/busybox@{DIGEST}")
        );
        assert!(same_image(
            &pinned,
            &format!("docker.io/library/busybox@{DIGEST}")
        ));
        assert!(same_image(&pinned, &format!("busybox:1.36@{DIGEST}")));
        assert!(!same_image(&pinned, "busybox@sha256:0000"));
        // A tag pinned by digest is still that tag; a bare digest says nothing of tags.
        assert!(same_image(
            "busybox:1.36",
            &format!("busybox:1.36@{DIGEST}")
        ));
        assert!(!same_image("busybox:1.36", &pinned));
        assert!(!same_image(
            "busybox:1.35",
            &format!("busybox:1.36@{DIGEST}")
        ));
    }

    #[test]
    fn case_of_the_name_does_not_matter_but_the_tag_does() {
        assert!(same_image("BusyBox:1.36", "busybox:1.36"));
        assert!(!same_image("busybox:V1", "busybox:v1"));
    }
}
