//! Volumes: the top-level definitions, and a service's mounts (named, anonymous, bind inside
//! the lab folder, tmpfs) under the safety policy.

use std::path::{Path, PathBuf};

use super::Declared;
use super::build::escapes;
use crate::course::decode::{Ctx, Fields, Schema, string};
use crate::course::diag::nearest;
use crate::course::yaml::{Node, Pos, Value};
use crate::model::{Mount, MountKind, VolumeDef};

const VOLUME_LONG: Schema = Schema {
    known: &["type", "source", "target", "read_only", "tmpfs"],
    unsupported: &["bind", "volume", "consistency", "image", "npipe", "cluster"],
};

const TMPFS_OPTS: Schema = Schema {
    known: &["size"],
    unsupported: &["mode"],
};

const VOLUME: Schema = Schema {
    known: &["driver", "labels"],
    unsupported: &["external", "name", "driver_opts"],
};

/// A top-level volume.
pub(super) fn definition(ctx: &mut Ctx, name: &str, node: &Node) -> Option<VolumeDef> {
    let f = Fields::open(ctx, node, &format!("volume \"{name}\""), &VOLUME, true)?;
    Some(VolumeDef {
        name: name.to_string(),
        driver: f.str(ctx, "driver"),
        labels: f.str_map(ctx, "labels"),
    })
}

/// One item of a service's `volumes:`, short (`SOURCE:TARGET[:ro]`) or long form.
pub(super) fn mount(ctx: &mut Ctx, node: &Node, declared: &Declared) -> Option<Mount> {
    if let Value::Map(_) = node.value {
        let f = Fields::open(ctx, node, "a volume", &VOLUME_LONG, true)?;
        let target = f.req_str(ctx, "target")?;
        let read_only = f.bool(ctx, "read_only").unwrap_or(false);
        let ty = f.str(ctx, "type").unwrap_or_else(|| "volume".into());
        let source = f.str(ctx, "source");
        let src_pos = f.get("source").map(|n| n.pos).unwrap_or(f.pos);
        let kind = match ty.as_str() {
            "volume" => match source {
                Some(name) => {
                    named_volume(ctx, &name, src_pos, declared);
                    MountKind::Volume { name }
                }
                None => MountKind::Anonymous,
            },
            "bind" => {
                let Some(src) = source else {
                    ctx.error(f.pos, "a bind mount needs a \"source\"");
                    return None;
                };
                MountKind::Bind {
                    source: bind_source(ctx, &src, src_pos)?,
                }
            }
            "tmpfs" => {
                let size = match f.get("tmpfs") {
                    Some(n) => Fields::open(ctx, n, "\"tmpfs\" options", &TMPFS_OPTS, false)
                        .and_then(|t| t.size(ctx, "size")),
                    None => None,
                };
                MountKind::Tmpfs { size }
            }
            other => {
                ctx.error(f.get("type").map(|n| n.pos).unwrap_or(f.pos), format!("volume type \"{other}\" is not supported by lab v1 (use volume, bind or tmpfs)"));
                return None;
            }
        };
        check_target(ctx, &target, f.pos)?;
        return Some(Mount {
            kind,
            target,
            read_only,
        });
    }
    let text = string(ctx, node, "a volume")?;
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m] => (Some(*s), *t, Some(*m)),
        _ => {
            ctx.error(
                node.pos,
                format!("bad volume \"{text}\": write SOURCE:TARGET[:ro]"),
            );
            return None;
        }
    };
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(m) => {
            ctx.error(
                node.pos,
                format!("bad volume mode \"{m}\" in \"{text}\" (use ro or rw)"),
            );
            return None;
        }
    };
    check_target(ctx, target, node.pos)?;
    let kind = match source {
        None => MountKind::Anonymous,
        Some(s) if s.starts_with('.') || s.starts_with('/') || s.starts_with('~') => {
            MountKind::Bind {
                source: bind_source(ctx, s, node.pos)?,
            }
        }
        Some(name) => {
            named_volume(ctx, name, node.pos, declared);
            MountKind::Volume {
                name: name.to_string(),
            }
        }
    };
    Some(Mount {
        kind,
        target: target.to_string(),
        read_only,
    })
}

fn check_target(ctx: &mut Ctx, target: &str, pos: Pos) -> Option<()> {
    if !target.starts_with('/') {
        ctx.error(
            pos,
            format!("a mount target must be an absolute path in the container, found \"{target}\""),
        );
        return None;
    }
    Some(())
}

fn named_volume(ctx: &mut Ctx, name: &str, pos: Pos, declared: &Declared) {
    if !declared.volumes.contains(name) {
        let known: Vec<&str> = declared.volumes.iter().map(String::as_str).collect();
        let d = ctx.error(
            pos,
            format!("volume \"{name}\" is not declared under top-level \"volumes\""),
        );
        if let Some(near) = nearest(name, &known) {
            d.suggestion = Some(format!("did you mean \"{near}\"?"));
        }
    }
}

/// Bind sources: the docker socket never; outside the lab folder only with --allow-unsafe.
fn bind_source(ctx: &mut Ctx, src: &str, pos: Pos) -> Option<PathBuf> {
    if src.ends_with("docker.sock") {
        ctx.unsafe_option(
            pos,
            format!(
                "mounting the Docker socket (\"{src}\") gives the container control of the engine"
            ),
        );
        return Some(PathBuf::from(src));
    }
    let p = Path::new(src);
    if src.starts_with('~') || p.is_absolute() {
        let inside = p.is_absolute() && p.starts_with(ctx.lab_dir);
        if !inside {
            ctx.unsafe_option(
                pos,
                format!("bind mount of \"{src}\" reaches outside the lab folder"),
            );
        }
        return Some(p.to_path_buf());
    }
    if escapes(p) {
        ctx.unsafe_option(
            pos,
            format!("bind mount of \"{src}\" reaches outside the lab folder"),
        );
    }
    Some(p.to_path_buf())
}
