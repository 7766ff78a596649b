//! One HTTP/1.1 request over a fresh connection, sent as curl sends it: the whole request
//! goes out at once, before anything is read, so a server that answers without reading
//! (`printf 'HTTP/1.0 200 OK…' | nc -l`) is heard too (hyper's client took such an early
//! answer for a broken connection about half the time). The answer is read as its framing
//! says (Content-Length, chunked, or until the server closes), up to a cap.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The longest status line and headers read.
const HEAD_CAP: usize = 64 * 1024;

/// What a request asks.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path and query.
    pub path: &'a str,
    /// `host` or `host:port`, as the Host header says it.
    pub authority: &'a str,
    /// The author's headers: they replace lab's own of the same name.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// An answer as it came.
#[derive(Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// The body went on past the cap; what is here is its start.
    pub cut: bool,
}

/// Why there is no answer.
#[derive(Debug)]
pub enum Trouble {
    /// The request cannot be written (a header the check gives is not valid).
    Invalid(String),
    /// Nothing listens there: no connection.
    NoConnection(String),
    /// What answered (if anything) is not an HTTP answer.
    NotHttp(String),
}

/// The request as bytes: the author's headers replace `Host`, `User-Agent` and
/// `Connection`, which lab sets otherwise.
pub fn encode(r: &Request) -> Result<Vec<u8>, Trouble> {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if !token(r.method) {
        return Err(Trouble::Invalid(format!(
            "{:?} is not an HTTP method",
            r.method
        )));
    }
    if r.path.is_empty()
        || r.path
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(Trouble::Invalid(format!(
            "{:?} is not a request path",
            r.path
        )));
    }
    for (k, v) in r.headers {
        if !token(k) || v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(Trouble::Invalid(format!(
                "the header {k}: {v} is not valid"
            )));
        }
    }
    let given = |name: &str| r.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let mut out = format!("{} {} HTTP/1.1\r\n", r.method, r.path);
    for (name, value) in [
        ("Host", r.authority),
        ("User-Agent", "lab"),
        ("Connection", "close"),
    ] {
        if !given(name) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    for (k, v) in r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !r.body.is_empty() && !given("Content-Length") && !given("Transfer-Encoding") {
        out.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(r.body);
    Ok(bytes)
}

/// Send `r` to `host:port` and read the answer, its body up to `cap` bytes.
pub async fn exchange(
    host: &str,
    port: u16,
    r: &Request<'_>,
    cap: usize,
) -> Result<Answer, Trouble> {
    let request = encode(r)?;
    let mut stream = tokio::net::TcpStream::connect((host, port))
        .await
        .map_err(|e| {
            Trouble::NoConnection(format!(
                "could not connect to {}: {e}",
                super::net::host_port(host, port)
            ))
        })?;
    // A server that answered without reading may have closed already: what it said is
    // still in the connection, so a failed write is not the end.
    let _ = stream.write_all(&request).await;
    let mut reader = Reader {
        stream,
        buf: Vec::new(),
        eof: false,
    };
    read_answer(&mut reader, r.method.eq_ignore_ascii_case("HEAD"), cap).await
}

/// The bytes of a connection, read as they are needed.
struct Reader<S> {
    stream: S,
    buf: Vec<u8>,
    eof: bool,
}

impl<S: tokio::io::AsyncRead + Unpin> Reader<S> {
    /// Read once more; false at the end of the connection. A reset after the answer came
    /// (a server that closed without reading the request) is an end, not an error.
    async fn more(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                self.eof = true;
                false
            }
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }
}

fn not_http(why: impl std::fmt::Display) -> Trouble {
    Trouble::NotHttp(format!("it did not answer with HTTP ({why})"))
}

async fn read_answer<S: tokio::io::AsyncRead + Unpin>(
    rd: &mut Reader<S>,
    head_request: bool,
    cap: usize,
) -> Result<Answer, Trouble> {
    let mut answer = Answer::default();
    // The status line and headers; informational answers (100 Continue) are passed over.
    loop {
        let mut slots = [httparse::EMPTY_HEADER; 128];
        let mut resp = httparse::Response::new(&mut slots);
        match resp.parse(&rd.buf) {
            Ok(httparse::Status::Complete(n)) => {
                let status = resp.code.unwrap_or(0);
                answer.status = status;
                answer.headers = resp
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), h.value.to_vec()))
                    .collect();
                rd.buf.drain(..n);
                if (100..200).contains(&status) && status != 101 {
                    continue;
                }
                break;
            }
            Ok(httparse::Status::Partial) => {
                if rd.buf.len() > HEAD_CAP {
                    return Err(not_http("its headers never ended"));
                }
                if !rd.more().await {
                    return Err(if rd.buf.is_empty() {
                        Trouble::NotHttp("it closed the connection without an answer".into())
                    } else {
                        not_http("the connection closed in the middle of the headers")
                    });
                }
            }
            Err(e) => return Err(not_http(e)),
        }
    }
    let header = |name: &str| {
        answer
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
    };
    if head_request || matches!(answer.status, 101 | 204 | 304) {
        return Ok(answer);
    }
    let chunked = header("transfer-encoding").is_some_and(|t| t.ends_with("chunked"));
    let length = header("content-length").and_then(|l| l.parse::<u64>().ok());
    let mut body = Vec::new();
    if chunked {
        read_chunked(rd, &mut body, cap).await?;
    } else {
        let want = length.unwrap_or(u64::MAX);
        while (body.len() as u64) < want && body.len() <= cap {
            if rd.buf.is_empty() && !rd.more().await {
                break;
            }
            let take = rd
                .buf
                .len()
                .min((want - body.len() as u64).min(usize::MAX as u64) as usize);
            body.extend(rd.buf.drain(..take));
        }
    }
    answer.cut = body.len() > cap;
    body.truncate(cap);
    answer.body = body;
    Ok(answer)
}

/// A chunked body, up to just past `cap` (then the rest is not read).
async fn read_chunked<S: tokio::io::AsyncRead + Unpin>(
    rd: &mut Reader<S>,
    body: &mut Vec<u8>,
    cap: usize,
) -> Result<(), Trouble> {
    while body.len() <= cap {
        let (start, size) = match httparse::parse_chunk_size(&rd.buf) {
            Ok(httparse::Status::Complete(found)) => found,
            Ok(httparse::Status::Partial) => {
                if !rd.more().await {
                    // Cut short: what came is the body, as a browser shows it.
                    return Ok(());
                }
                continue;
            }
            Err(_) => return Err(not_http("a chunk of its body is not valid")),
        };
        if size == 0 {
            return Ok(());
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        rd.buf.drain(..start);
        let mut left = size;
        while left > 0 && body.len() <= cap {
            if rd.buf.is_empty() && !rd.more().await {
                return Ok(());
            }
            let take = rd.buf.len().min(left);
            body.extend(rd.buf.drain(..take));
            left -= take;
        }
        // The CRLF after the chunk's data.
        while rd.buf.len() < 2 {
            if !rd.more().await {
                return Ok(());
            }
        }
        let skip = if rd.buf.starts_with(b"\r\n") {
            2
        } else if rd.buf.starts_with(b"\n") {
            1
        } else {
            0
        };
        rd.buf.drain(..skip);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(bytes: &[u8], head: bool, cap: usize) -> Result<Answer, Trouble> {
        let mut rd = Reader {
            stream: bytes,
            buf: Vec::new(),
            eof: false,
        };
        read_answer(&mut rd, head, cap).await
    }

    fn text(a: &Answer) -> String {
        String::from_utf8_lossy(&a.body).into_owned()
    }

    #[tokio::test]
    async fn bodies_are_framed_as_the_server_says() {
        let a = read(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello and more",
            false,
            100,
        )
        .await
        .expect("answer");
        assert_eq!((a.status, text(&a).as_str(), a.cut), (200, "hello", false));
        let a = read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n", false, 100)
            .await
            .expect("chunked");
        assert_eq!(text(&a), "hello world");
        // HTTP/1.0 without a length, bare LF: until the server closes.
        let a = read(b"HTTP/1.0 200 OK\n\n<h1>hello nc</h1>", false, 100)
            .await
            .expect("1.0");
        assert_eq!((a.status, text(&a).as_str()), (200, "<h1>hello nc</h1>"));
        let a = read(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno",
            false,
            100,
        )
        .await
        .expect("after continue");
        assert_eq!((a.status, text(&a).as_str()), (404, "no"));
        let a = read(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, 100)
            .await
            .expect("head");
        assert_eq!(text(&a), "");
    }

    #[tokio::test]
    async fn a_long_body_is_cut_and_says_so() {
        let mut bytes = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', 50));
        let a = read(&bytes, false, 10).await.expect("answer");
        assert_eq!((a.body.len(), a.cut), (10, true));
        let a = read(&bytes, false, 50).await.expect("answer");
        assert_eq!((a.body.len(), a.cut), (50, false));
    }

    #[tokio::test]
    async fn what_is_not_http_says_why() {
        for bytes in [
            &b""[..],
            b"<h1>hello</h1>\n",
            b"HTTP/1.1 200 OK\r\nContent-",
        ] {
            assert!(
                matches!(read(bytes, false, 100).await, Err(Trouble::NotHttp(_))),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn the_authors_headers_replace_labs() {
        let headers = vec![("host".to_string(), "shop.local".to_string())];
        let r = Request {
            method: "POST",
            path: "/a?b=1",
            authority: "127.0.0.1:8080",
            headers: &headers,
            body: b"x=1",
        };
        let text = String::from_utf8(encode(&r).expect("valid")).expect("utf-8");
        assert_eq!(
            text,
            "POST /a?b=1 HTTP/1.1\r\nUser-Agent: lab\r\nConnection: close\r\nhost: shop.local\r\nContent-Length: 3\r\n\r\nx=1"
        );
        let bad = vec![("X-A".to_string(), "a\r\nb".to_string())];
        assert!(matches!(
            encode(&Request { headers: &bad, ..r }),
            Err(Trouble::Invalid(_))
        ));
    }
}
