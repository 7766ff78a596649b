//! `dockerfile`: a Dockerfile in the workspace, read by a parser (LAB_FORMAT §4.6); at
//! least one assertion about the image it builds.

use super::fields::{label_matchers, opt_matcher, port_list};
use crate::course::decode::{Ctx, Fields, Schema, string};
use crate::course::yaml::Node;
use crate::model::DockerfileCheck;

const DOCKERFILE: Schema = Schema::known(&[
    "path",
    "from",
    "default_command",
    "command",
    "expose",
    "user",
    "healthcheck",
    "labels",
]);

/// The keys that ask something of the file (all but `path`).
const ASSERTIONS: &[&str] = &[
    "from",
    "default_command",
    "command",
    "expose",
    "user",
    "healthcheck",
    "labels",
];

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str) -> Option<DockerfileCheck> {
    let errors_before = ctx.diags.len();
    let f = Fields::open(ctx, body, what, &DOCKERFILE, false)?;
    // A misspelt assertion was reported as an unknown key, with a suggestion.
    let unknown_keys = ctx.diags.len() > errors_before;
    let path = f.required(ctx, "path").and_then(|n| {
        let p = string(ctx, n, &f.field("path"))?;
        if p.trim().is_empty() {
            ctx.error(n.pos, format!("{} is empty", f.field("path")));
            return None;
        }
        Some(p)
    });
    let from = f.get("from").and_then(|n| {
        let image = string(ctx, n, &f.field("from"))?;
        if image.trim().is_empty() || image.trim().contains(char::is_whitespace) {
            ctx.error(
                n.pos,
                format!(
                    "{} is an image reference such as busybox:1.36, found \"{image}\"",
                    f.field("from")
                ),
            );
            return None;
        }
        Some(image.trim().to_string())
    });
    let default_command = f.bool(ctx, "default_command");
    let command = opt_matcher(ctx, &f, "command");
    let expose = port_list(ctx, &f, "expose");
    let user = opt_matcher(ctx, &f, "user");
    let healthcheck = f.bool(ctx, "healthcheck");
    let labels = label_matchers(ctx, &f, "labels");
    if !ASSERTIONS.iter().any(|k| f.has(k)) {
        if unknown_keys {
            return None;
        }
        ctx.error(
            f.pos,
            format!(
                "{what} asks nothing of the Dockerfile; give at least one of {}",
                ASSERTIONS.join(", ")
            ),
        );
        return None;
    }
    // A key that was given but did not decode was reported at its node.
    let bad = |k: &str, ok: bool| f.has(k) && !ok;
    if bad("from", from.is_some())
        || bad("default_command", default_command.is_some())
        || bad("healthcheck", healthcheck.is_some())
    {
        return None;
    }
    Some(DockerfileCheck {
        path: path?,
        from,
        default_command,
        command: command?,
        expose: expose?,
        user: user?,
        healthcheck,
        labels: labels?,
    })
}
