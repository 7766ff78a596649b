//! `http`: a request's response matches (status, body, headers). From the student's
//! machine over one plain HTTP/1.1 connection (`http1`); with `from:`, by busybox wget
//! inside that service.
//! Plain HTTP only: lab services are local, and `lab lint` refuses https URLs.

use std::time::Duration;

use super::http1;
use super::net::{host_address, host_port};
use crate::checks::context::RunContext;
use crate::checks::matcher::{negates, text, undecided_when_cut};
use crate::checks::outcome::Outcome;
use crate::checks::target::in_service;
use crate::checks::words::{seen, unmet, wanted};
use crate::model::HttpCheck;
use crate::text::{cap, printable};

const BODY_CAP: usize = 1024 * 1024;

/// A response as the check sees it.
#[derive(Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The page went on past what a check reads; `body` is its start.
    pub cut: bool,
}

pub async fn run(ctx: &RunContext, c: &HttpCheck, timeout: Duration) -> Outcome {
    let resp = match &c.from {
        Some(from) => from_service(ctx, c, from, timeout).await,
        None => from_host(ctx, c, timeout).await,
    };
    let (resp, url) = match resp {
        Ok(r) => r,
        Err(Failure::Error(e)) => return Outcome::error(e),
        Err(Failure::Unreachable(e)) => return Outcome::fail(e),
        Err(Failure::Found(o)) => return o,
    };
    judge(c, &resp, &url)
}

fn judge(c: &HttpCheck, r: &Response, url: &str) -> Outcome {
    let mut evidence = format!("{} {url}\n→ {}\n", c.method, r.status);
    for (k, v) in &r.headers {
        evidence.push_str(&format!("{k}: {v}\n"));
    }
    evidence.push('\n');
    evidence.push_str(&cap(&r.body, 1024));
    let status = r.status.to_string();
    if !text(&c.status, &status) {
        let asked = match &c.status {
            crate::model::Matcher::Equals(l) => format!("{url} to answer {}", l.text()),
            m => format!(
                "the status of {url} to {}",
                wanted(unmet(m, &|p| text(p, &status)))
            ),
        };
        return Outcome::fail(format!("expected {asked}; it answered {status}")).evidence(evidence);
    }
    if let Some(m) = &c.expect_body
        && r.cut
        && undecided_when_cut(m, &r.body)
    {
        return Outcome::error(format!(
            "the page at {url} is longer than a check reads ({} KiB), so whether it {} cannot be told",
            r.body.len() / 1024,
            wanted(unmet(m, &|p| text(p, &r.body)))
        ))
        .evidence(evidence);
    }
    if let Some(m) = &c.expect_body
        && !text(m, &r.body)
    {
        return Outcome::fail(format!(
            "expected the page at {url} to {}; it was {}",
            wanted(unmet(m, &|p| text(p, &r.body))),
            seen(&r.body)
        ))
        .evidence(evidence);
    }
    for (name, m) in &c.expect_headers {
        // A header sent more than once (Set-Cookie) is all its values, as HTTP joins them.
        let values: Vec<&str> = r
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        let joined = values.join(", ");
        let got = (!values.is_empty()).then_some(joined.as_str());
        // One of the values may be the one asked for (Cache-Control sent by the app and by
        // its proxy); a `not` holds only when it holds for all of them.
        let one_of = !negates(m) && values.iter().any(|v| text(m, v));
        match got {
            Some(_) if one_of => {}
            Some(v) if text(m, v) => {}
            Some(v) => {
                return Outcome::fail(format!(
                    "expected the answer's {name} header to {}; it was {}",
                    wanted(unmet(m, &|p| text(p, v))),
                    seen(v)
                ))
                .evidence(evidence);
            }
            None => {
                return Outcome::fail(format!(
                    "expected the answer to have a {name} header; it has none"
                ))
                .evidence(evidence);
            }
        }
    }
    Outcome::pass(format!("{url} answered {}", r.status)).evidence(evidence)
}

enum Failure {
    /// The check could not run (bad URL, engine trouble).
    Error(String),
    /// What finding the target concluded (a container that does not exist).
    Found(Outcome),
    /// The service did not answer: the environment is not as asked.
    Unreachable(String),
}

/// `http://host[:port]/path?query` → (host, port, path and query).
pub fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| format!("{url} is not a valid URL: {e}"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(format!(
                "{url}: https is not supported by the http check; probe the plain HTTP port"
            ));
        }
        _ => return Err(format!("{url} is not an http:// URL")),
    }
    let host = uri
        .host()
        .map(|h| h.trim_matches(['[', ']']).to_string())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("{url} names no host"))?;
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".into());
    Ok((host, uri.port_u16().unwrap_or(80), path))
}

async fn from_host(
    ctx: &RunContext,
    c: &HttpCheck,
    timeout: Duration,
) -> Result<(Response, String), Failure> {
    let (host, port, path) = match (&c.url, &c.target) {
        (Some(u), _) => parse_url(u).map_err(Failure::Error)?,
        (None, Some(t)) => {
            let a = host_address(ctx, t, c.port.unwrap_or(80))
                .await
                .map_err(Failure::Found)?;
            (a.host, a.port, c.path.clone())
        }
        (None, None) => {
            return Err(Failure::Error(
                "the check gives no URL and no target".into(),
            ));
        }
    };
    let url = format!("http://{}{path}", host_port(&host, port));
    match tokio::time::timeout(timeout, request(c, &host, port, &path, &url)).await {
        Ok(r) => r.map(|r| (r, url)),
        Err(_) => Err(Failure::Unreachable(format!(
            "{url} did not answer within {}",
            crate::model::Dur(timeout)
        ))),
    }
}

/// One request over a fresh connection; the body is read up to [`BODY_CAP`].
async fn request(
    c: &HttpCheck,
    host: &str,
    port: u16,
    path: &str,
    url: &str,
) -> Result<Response, Failure> {
    // The Host header as curl writes it: the port only when it is not 80.
    let with_port = host_port(host, port);
    let authority = match port {
        80 => with_port.strip_suffix(":80").unwrap_or(&with_port),
        _ => &with_port,
    };
    let body = c.body.clone().unwrap_or_default();
    let r = http1::Request {
        method: c.method.as_str(),
        path,
        authority,
        headers: &c.headers,
        body: body.as_bytes(),
    };
    let answer = http1::exchange(host, port, &r, BODY_CAP)
        .await
        .map_err(|t| match t {
            http1::Trouble::Invalid(why) => {
                Failure::Error(format!("the request to {url} is not valid: {why}"))
            }
            http1::Trouble::NoConnection(why) => Failure::Unreachable(why),
            http1::Trouble::NotHttp(why) => Failure::Unreachable(format!("{url}: {why}")),
        })?;
    Ok(Response {
        status: answer.status,
        headers: answer
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), printable(v)))
            .collect(),
        body: printable(&answer.body),
        cut: answer.cut,
    })
}

async fn from_service(
    ctx: &RunContext,
    c: &HttpCheck,
    from: &str,
    timeout: Duration,
) -> Result<(Response, String), Failure> {
    let url = match (&c.url, &c.target) {
        (Some(u), _) => u.clone(),
        (None, Some(crate::model::Target::Service(s))) => {
            format!("http://{s}:{}{}", c.port.unwrap_or(80), c.path)
        }
        (None, Some(crate::model::Target::Replica(s, n))) => {
            // Each replica's container name resolves on the lab's networks, as in Compose.
            format!(
                "http://{}:{}{}",
                crate::engine::plan::replica_name(&ctx.project, s, *n),
                c.port.unwrap_or(80),
                c.path
            )
        }
        (None, Some(crate::model::Target::Container(n))) => {
            format!("http://{n}:{}{}", c.port.unwrap_or(80), c.path)
        }
        (None, _) => format!("http://127.0.0.1:{}{}", c.port.unwrap_or(80), c.path),
    };
    // No -q/-T: Debian's busybox wget crashes with -T; the exec's own timeout bounds it.
    let mut cmd = String::from("wget -S -O - ");
    match c.method.as_str() {
        "GET" => {}
        "POST" => cmd.push_str(&format!(
            "--post-data {} ",
            shell_words::quote(c.body.as_deref().unwrap_or(""))
        )),
        other => {
            return Err(Failure::Error(format!(
                "{other} requests from inside a container are not supported (busybox wget sends GET and POST)"
            )));
        }
    }
    for (k, v) in &c.headers {
        cmd.push_str(&format!(
            "--header {} ",
            shell_words::quote(&format!("{k}: {v}"))
        ));
    }
    cmd.push_str(&shell_words::quote(&url));
    let out = in_service(ctx, from, vec!["sh".into(), "-c".into(), cmd], timeout)
        .await
        .map_err(Failure::Error)?;
    if out.timed_out {
        return Err(Failure::Unreachable(format!(
            "{url} did not answer {from} within {}",
            crate::model::Dur(timeout)
        )));
    }
    // As from the host, the answer is the one to this request: the status and headers of
    // the first response (wget follows redirects, the host's client does not).
    let heads = wget_heads(&out.stderr);
    let followed = heads.len() > 1;
    let Some((status, headers)) = heads.into_iter().next() else {
        return Err(Failure::Unreachable(format!(
            "{url} did not answer from {from}: {}",
            out.stderr.trim()
        )));
    };
    // What wget printed is that response's page only when it answered once and wget
    // ended well: busybox prints no page for a status it does not take (4xx, 5xx, 304,
    // 307, …), and one it followed printed the next response's.
    let page_is_its = !followed && out.exit == Some(0);
    // A page that cannot be read is no reason to fail a check the status already decides.
    if !page_is_its && c.expect_body.is_some() && text(&c.status, &status.to_string()) {
        let why = if followed {
            "busybox wget follows redirects"
        } else {
            "busybox wget prints no page for it"
        };
        return Err(Failure::Error(format!(
            "{url} answered {status} to {from}, and the check asks about the page: from inside a container that page cannot be read ({why}); check the page from the host (without from:) or ask only for the status and headers"
        )));
    }
    Ok((
        Response {
            status,
            headers,
            body: if page_is_its {
                out.stdout
            } else {
                String::new()
            },
            cut: page_is_its && out.truncated.stdout,
        },
        url,
    ))
}

/// The response heads `wget -S` printed on stderr, in order (a followed redirect adds
/// one). They are indented; wget's own messages ("wget: server returned error: …") are not.
fn wget_heads(stderr: &str) -> Vec<(u16, Vec<(String, String)>)> {
    let mut heads: Vec<(u16, Vec<(String, String)>)> = Vec::new();
    for line in stderr.lines().filter(|l| l.starts_with(' ')) {
        let l = line.trim();
        if l.starts_with("HTTP/") {
            match l
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<u16>().ok())
            {
                // `100 Continue` and the like come before the answer, as hyper skips them.
                Some(status) if status >= 200 => heads.push((status, Vec::new())),
                Some(_) => heads.push((0, Vec::new())),
                None => {}
            }
        } else if let Some((k, v)) = l.split_once(": ")
            && !k.contains(' ')
            && let Some((_, headers)) = heads.last_mut()
        {
            headers.push((k.to_string(), v.to_string()));
        }
    }
    heads.retain(|(status, _)| *status != 0);
    heads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_from_a_container_is_the_first_response() {
        let followed = "Connecting to 127.0.0.1 (127.0.0.1:80)\n  HTTP/1.1 301 Moved\n  Location: /index.html\n  HTTP/1.1 200 OK\n  Content-type: text/html\n  \nwriting to stdout\n";
        let heads = wget_heads(followed);
        assert_eq!(heads.len(), 2);
        assert_eq!(heads[0].0, 301);
        assert_eq!(
            heads[0].1,
            [("Location".to_string(), "/index.html".to_string())]
        );
        let error = "Connecting to 127.0.0.1 (127.0.0.1:80)\n  HTTP/1.1 404 Not Found\nwget: server returned error: HTTP/1.1 404 Not Found\n";
        let heads = wget_heads(error);
        assert_eq!(heads, [(404, Vec::new())], "wget's own line is no header");
        assert!(wget_heads("wget: bad address 'web'\n").is_empty());
        let continued =
            "  HTTP/1.1 100 Continue\n  X-A: b\n  HTTP/1.1 201 Created\n  Location: /x\n";
        assert_eq!(
            wget_heads(continued),
            [(201, vec![("Location".to_string(), "/x".to_string())])]
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("http://a:81/x?y=1").unwrap(),
            ("a".into(), 81, "/x?y=1".into())
        );
        assert_eq!(parse_url("http://a").unwrap(), ("a".into(), 80, "/".into()));
        assert_eq!(
            parse_url("http://[::1]:8080/").unwrap(),
            ("::1".into(), 8080, "/".into())
        );
        assert!(parse_url("https://a").is_err());
        assert!(parse_url("http://:80/").is_err());
        assert!(parse_url("ftp://a/").is_err());
    }
}
