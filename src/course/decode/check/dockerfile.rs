//! `dockerfile`: a Dockerfile in the workspace, read by a parser (LAB_FORMAT §4.6); at
//! least one assertion about the image it builds.

use super::fields::{label_matchers, opt_matcher};
use crate::course::decode::{Ctx, Fields, Schema, describe, string};
use crate::course::yaml::Node;
use crate::model::{DockerfileCheck, ExposedPort, Protocol};

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
    let expose = exposed_ports(ctx, &f, "expose");
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

/// `expose: [8080, "53/udp"]`: a port without a protocol is TCP, as in Docker, so a UDP
/// port has to be asked for as one.
fn exposed_ports(ctx: &mut Ctx, f: &Fields, key: &str) -> Option<Vec<ExposedPort>> {
    let Some(n) = f.get(key) else {
        return Some(Vec::new());
    };
    let Some(items) = n.as_seq() else {
        ctx.error(
            n.pos,
            format!(
                "expected a list of ports for {}, found {}",
                f.field(key),
                n.kind_name()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        let Some(port) = item.scalar_text().as_deref().and_then(exposed_port) else {
            ctx.error(
                item.pos,
                format!(
                    "bad port {} in {} (write e.g. 8080, \"8080/tcp\" or \"53/udp\")",
                    describe(item),
                    f.field(key)
                ),
            );
            return None;
        };
        out.push(port);
    }
    Some(out)
}

fn exposed_port(text: &str) -> Option<ExposedPort> {
    let text = text.trim();
    let (number, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let protocol = match protocol.to_ascii_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        _ => return None,
    };
    let port = number.parse::<u16>().ok().filter(|p| *p > 0)?;
    Some(ExposedPort { port, protocol })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_is_tcp_unless_written_otherwise() {
        assert_eq!(exposed_port("8080"), Some(ExposedPort::tcp(8080)));
        assert_eq!(exposed_port("8080/TCP"), Some(ExposedPort::tcp(8080)));
        assert_eq!(
            exposed_port(" 53/udp"),
            Some(ExposedPort {
                port: 53,
                protocol: Protocol::Udp
            })
        );
        for bad in ["0", "8080/sctp", "80-90", "x", "8080/", "70000"] {
            assert_eq!(exposed_port(bad), None, "{bad}");
        }
    }
}
