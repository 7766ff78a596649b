//! `http`: a request's response matches (status, body, headers). From the student's
//! machine with a small HTTP/1.1 client; with `from:`, by busybox wget inside that service.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::net::{host_address, in_service, sh_quote};
use crate::checks::context::RunContext;
use crate::checks::matcher::{describe, quote, text};
use crate::checks::outcome::{Outcome, cap, printable};
use crate::model::HttpCheck;

const BODY_CAP: usize = 1024 * 1024;

/// A response as the check sees it.
#[derive(Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
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
    if !text(&c.status, &r.status.to_string()) {
        return Outcome::fail(format!(
            "expected {url} to answer with a status that {}, it answered {}",
            describe(&c.status),
            r.status
        ))
        .evidence(evidence);
    }
    if let Some(m) = &c.expect_body
        && !text(m, &r.body)
    {
        return Outcome::fail(format!(
            "expected the body of {url} to be such that it {}; it was {}",
            describe(m),
            quote(&r.body)
        ))
        .evidence(evidence);
    }
    for (name, m) in &c.expect_headers {
        let got = r
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        match got {
            Some(v) if text(m, v) => {}
            Some(v) => {
                return Outcome::fail(format!(
                    "expected header {name} that {}, found {}",
                    describe(m),
                    quote(v)
                ))
                .evidence(evidence);
            }
            None => {
                return Outcome::fail(format!("expected a header {name}, there is none"))
                    .evidence(evidence);
            }
        }
    }
    Outcome::pass(format!("{url} answered {}", r.status)).evidence(evidence)
}

enum Failure {
    /// The check could not run (bad URL, engine trouble).
    Error(String),
    /// The service did not answer: the environment is not as asked.
    Unreachable(String),
}

/// `http://host[:port]/path` → (host, port, path).
pub fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    if url.starts_with("https://") {
        return Err(format!(
            "{url}: https is not supported by the http check; probe the plain HTTP port"
        ));
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url} is not an http:// URL"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
            h.trim_matches(['[', ']']).to_string(),
            p.parse::<u16>().map_err(|_| format!("bad port in {url}"))?,
        ),
        _ => (authority.to_string(), 80),
    };
    if host.is_empty() {
        return Err(format!("{url} names no host"));
    }
    Ok((host, port, path.to_string()))
}

async fn from_host(
    ctx: &RunContext,
    c: &HttpCheck,
    timeout: Duration,
) -> Result<(Response, String), Failure> {
    let (host, port, path) = match (&c.url, &c.target) {
        (Some(u), _) => parse_url(u).map_err(Failure::Error)?,
        (None, Some(t)) => {
            let (h, p) = host_address(ctx, t, c.port.unwrap_or(80))
                .await
                .map_err(Failure::Error)?;
            (h, p, c.path.clone())
        }
        (None, None) => {
            return Err(Failure::Error(
                "the check gives no URL and no target".into(),
            ));
        }
    };
    let url = format!("http://{host}:{port}{path}");
    let io = async {
        let mut stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| {
                Failure::Unreachable(format!("could not connect to {host}:{port}: {e}"))
            })?;
        let mut req = format!(
            "{} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: lab\r\nConnection: close\r\n",
            c.method
        );
        for (k, v) in &c.headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        let body = c.body.clone().unwrap_or_default();
        if c.body.is_some() {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        stream.write_all(req.as_bytes()).await.map_err(|e| {
            Failure::Unreachable(format!("could not send the request to {url}: {e}"))
        })?;
        let mut raw = Vec::new();
        let _ = (&mut stream)
            .take(BODY_CAP as u64)
            .read_to_end(&mut raw)
            .await;
        parse_response(&raw).ok_or_else(|| {
            Failure::Unreachable(format!(
                "{url} did not answer with HTTP (got {})",
                quote(&printable(&raw[..raw.len().min(200)]))
            ))
        })
    };
    match tokio::time::timeout(timeout, io).await {
        Ok(r) => r.map(|r| (r, url)),
        Err(_) => Err(Failure::Unreachable(format!(
            "{url} did not answer within {}",
            crate::model::Dur(timeout)
        ))),
    }
}

/// Status line, headers, body (chunked bodies decoded). `None` when it is not HTTP.
pub fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    if !status_line.starts_with("HTTP/") {
        return None;
    }
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Some(Response {
        status,
        headers,
        body: printable(&body),
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let Ok(size) = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
        else {
            break;
        };
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let end = (start + size).min(data.len());
        out.extend_from_slice(&data[start..end]);
        data = data.get(end + 2..).unwrap_or(&[]);
    }
    out
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
            sh_quote(c.body.as_deref().unwrap_or(""))
        )),
        other => {
            return Err(Failure::Error(format!(
                "{other} requests from inside a container are not supported (busybox wget sends GET and POST)"
            )));
        }
    }
    for (k, v) in &c.headers {
        cmd.push_str(&format!("--header {} ", sh_quote(&format!("{k}: {v}"))));
    }
    cmd.push_str(&sh_quote(&url));
    let out = in_service(ctx, from, vec!["sh".into(), "-c".into(), cmd], timeout)
        .await
        .map_err(Failure::Error)?;
    if out.timed_out {
        return Err(Failure::Unreachable(format!(
            "{url} did not answer {from} within {}",
            crate::model::Dur(timeout)
        )));
    }
    // wget -S prints the response head on stderr, indented.
    let mut status = None;
    let mut headers = Vec::new();
    for line in out.stderr.lines() {
        let l = line.trim();
        if l.starts_with("HTTP/") {
            status = l
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<u16>().ok());
            headers.clear();
        } else if let Some((k, v)) = l.split_once(": ")
            && status.is_some()
            && !k.contains(' ')
        {
            headers.push((k.to_string(), v.to_string()));
        }
    }
    match status {
        Some(status) => Ok((
            Response {
                status,
                headers,
                body: out.stdout,
            },
            url,
        )),
        None => Err(Failure::Unreachable(format!(
            "{url} did not answer from {from}: {}",
            out.stderr.trim()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("http://a:81/x").unwrap(),
            ("a".into(), 81, "/x".into())
        );
        assert_eq!(parse_url("http://a").unwrap(), ("a".into(), 80, "/".into()));
        assert!(parse_url("https://a").is_err());
        assert!(parse_url("http://:80/").is_err());
    }

    #[test]
    fn responses() {
        let r = parse_response(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\nnope")
            .unwrap();
        assert_eq!((r.status, r.body.as_str()), (404, "nope"));
        let r = parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, "abcde");
        assert!(parse_response(b"\x00\x01garbage").is_none());
    }
}
