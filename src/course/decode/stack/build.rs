//! `build:` and the paths a service names relative to the lab folder (build context,
//! env_file), which must stay inside it.

use std::path::{Component, Path, PathBuf};

use crate::course::decode::{Ctx, Fields, Schema};
use crate::course::yaml::{Node, Pos, Value};
use crate::model::Build;

pub(super) const BUILD: Schema = Schema {
    known: &["context", "dockerfile", "args"],
    unsupported: &[
        "target",
        "cache_from",
        "cache_to",
        "labels",
        "network",
        "shm_size",
        "ssh",
        "secrets",
        "tags",
        "platforms",
        "extra_hosts",
        "isolation",
        "no_cache",
        "pull",
        "privileged",
        "additional_contexts",
        "dockerfile_inline",
        "entitlements",
        "ulimits",
    ],
};

pub(super) fn build(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Build> {
    let bwhat = format!("\"build\" in {what}");
    let (context, ctx_pos, dockerfile, args) = match &node.value {
        Value::Str(s) => (s.clone(), node.pos, None, Vec::new()),
        _ => {
            let f = Fields::open(ctx, node, &bwhat, &BUILD, true)?;
            let ctx_pos = f.get("context").map(|n| n.pos).unwrap_or(f.pos);
            let context = f.str(ctx, "context").unwrap_or_else(|| ".".into());
            (
                context,
                ctx_pos,
                f.str(ctx, "dockerfile"),
                f.str_map(ctx, "args"),
            )
        }
    };
    let context = inside_lab(ctx, ctx_pos, &context, "a build context")?;
    Some(Build {
        context,
        dockerfile,
        args,
    })
}

/// A path written relative to the lab folder; it must stay inside it.
pub(super) fn inside_lab(ctx: &mut Ctx, pos: Pos, path: &str, what: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    if p.is_absolute() || escapes(p) {
        ctx.error(
            pos,
            format!("{what} must be a path inside the lab folder, found \"{path}\""),
        );
        return None;
    }
    Some(p.to_path_buf())
}

/// Whether a relative path climbs out of its folder (`../x`, `a/../../x`).
pub(super) fn escapes(p: &Path) -> bool {
    let mut depth: i32 = 0;
    for c in p.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_paths() {
        assert!(escapes(Path::new("../x")));
        assert!(escapes(Path::new("a/../../x")));
        assert!(!escapes(Path::new("a/../b")));
        assert!(!escapes(Path::new("./files/x")));
    }
}
