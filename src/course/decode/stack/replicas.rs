//! Replicas (LAB_FORMAT §3, v1.1): `deploy: {replicas: N}` or `scale: N`, as Compose writes
//! them. Each replica is a container of its own, so what would make two of them collide (a
//! fixed container name, a fixed host port) is refused here, at the line that asks for it.

use crate::course::decode::{Ctx, Fields, Schema};
use crate::model::Service;

/// Of Compose's `deploy`, only `replicas` means something on one engine.
const DEPLOY: Schema = Schema {
    known: &["replicas"],
    unsupported: &[
        "mode",
        "endpoint_mode",
        "labels",
        "placement",
        "resources",
        "restart_policy",
        "rollback_config",
        "update_config",
    ],
};

/// The most a lab may ask for: replicas share one small machine with the rest of the class.
const MAX: i64 = 20;

pub(super) fn replicas(ctx: &mut Ctx, f: &Fields, what: &str, s: &mut Service) {
    let from_deploy = f.get("deploy").and_then(|n| {
        let d = Fields::open(ctx, n, &format!("\"deploy\" in {what}"), &DEPLOY, false)?;
        d.int(ctx, "replicas", 1, MAX).map(|r| (r, n.pos))
    });
    let from_scale = f.int(ctx, "scale", 1, MAX);
    s.replicas = match (from_deploy, from_scale) {
        (Some((d, _)), Some(sc)) if d != sc => {
            let pos = f.get("scale").map(|n| n.pos).unwrap_or(f.pos);
            ctx.error(
                pos,
                format!("{what} asks for {sc} replicas with \"scale\" and {d} with \"deploy.replicas\"; give one"),
            );
            return;
        }
        (Some((d, _)), _) => Some(d as u32),
        (None, Some(sc)) => Some(sc as u32),
        (None, None) => return,
    };
    if let Some(n) = f.get("container_name") {
        ctx.error(
            n.pos,
            format!("{what} has replicas, so it cannot have a container_name (each replica is named <project>-{}-N)", s.name),
        );
    }
    if let Some(n) = f.get("ports")
        && s.ports.iter().any(|p| p.host_port.is_some())
    {
        ctx.error(
            n.pos,
            format!("{what} has replicas, so it cannot publish a fixed host port (only one container can hold it)"),
        )
        .help = Some("publish the container port alone (`- \"80\"`): the engine picks a free host port for each replica".into());
    }
}
