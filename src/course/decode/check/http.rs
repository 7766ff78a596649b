//! `http`: a request to a URL, or to a target's port; status, body and headers are matched.

use super::Refs;
use super::fields::{label_matchers, opt_matcher, service_ref};
use crate::course::decode::action::fields_target;
use crate::course::decode::matcher;
use crate::course::decode::{Ctx, Fields, Schema, boolean};
use crate::course::yaml::Node;
use crate::model::{HttpCheck, Literal, Matcher, Target};

const HTTP: Schema = Schema::known(&[
    "url",
    "service",
    "replica",
    "container",
    "host",
    "port",
    "path",
    "method",
    "headers",
    "request_body",
    "from",
    "status",
    "body",
    "header",
]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str, refs: &mut Refs) -> Option<HttpCheck> {
    let f = &Fields::open(ctx, body, what, &HTTP, false)?;
    let url = f.str(ctx, "url");
    let on_host = match f.get("host") {
        Some(n) => boolean(ctx, n, &f.field("host"))?,
        None => false,
    };
    let target = if f.has("service") || f.has("container") {
        Some(fields_target(ctx, f, refs)?)
    } else if on_host {
        Some(Target::Host)
    } else {
        None
    };
    let port = f.int(ctx, "port", 1, 65535).map(|p| p as u16);
    if url.is_some() && (target.is_some() || port.is_some()) {
        ctx.error(
            f.pos,
            format!(
                "{} gives a \"url\" and a target or port; give one or the other",
                f.what
            ),
        );
        return None;
    }
    if url.is_none() && (target.is_none() || port.is_none()) {
        ctx.error(
            f.pos,
            format!(
                "{} needs a \"url\", or a target (service, container or host: true) and a \"port\"",
                f.what
            ),
        );
        return None;
    }
    if let Some(u) = &url {
        let p = f.get("url").map(|n| n.pos).unwrap_or(f.pos);
        // Lab services are local and plain: the http check speaks HTTP, not TLS, so an
        // https URL is refused here rather than failing every time it is graded.
        let problem = if u.starts_with("https://") {
            Some(format!(
                "url \"{u}\" uses https, which the http check does not speak; probe the service's plain HTTP port (http://…)"
            ))
        } else if !u.starts_with("http://") {
            Some(format!("url \"{u}\" must start with http://"))
        } else {
            u.parse::<hyper::Uri>()
                .err()
                .map(|e| format!("url \"{u}\" is not a valid URL: {e}"))
        };
        if let Some(message) = problem {
            ctx.error(p, message);
            return None;
        }
    }
    let from = service_ref(ctx, f, "from", refs);
    let method = f
        .str(ctx, "method")
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if !["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&method.as_str()) {
        let p = f.get("method").map(|n| n.pos).unwrap_or(f.pos);
        ctx.error(p, format!("unknown HTTP method \"{method}\""));
        return None;
    }
    let status = match f.get("status") {
        None => Matcher::Equals(Literal::Int(200)),
        Some(n) => matcher::decode(ctx, n, &f.field("status"))?,
    };
    let expect_body = opt_matcher(ctx, f, "body")?;
    let expect_headers = label_matchers(ctx, f, "header")?;
    let mut path = f.str(ctx, "path").unwrap_or_else(|| "/".into());
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    Some(HttpCheck {
        url,
        target,
        port,
        path,
        method,
        headers: f.str_map(ctx, "headers"),
        body: f.str(ctx, "request_body"),
        from,
        status,
        expect_body,
        expect_headers,
    })
}
