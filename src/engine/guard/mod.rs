//! The engine address a submission's script is given: a proxy in front of the real engine
//! that refuses what the submission policy forbids ([`policy`]) and keeps a ledger of what
//! the script created, so exactly that is removed afterwards. Streams, attaches and execs
//! (HTTP upgrades) pass through untouched.
//!
//! It guards the engine, not the machine: the script is still code running on the host
//! (hence `--trust-submissions`).

mod inspect;
mod paths;
mod policy;
mod request;

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

use super::connect::Engine;

type Body = BoxBody<Bytes, hyper::Error>;

/// What went through the guard.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// Container, network and volume ids or names, image tags: created by the script.
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    pub images: Vec<String>,
    /// Image ids the script built or committed (`sha256:…`): an image whose tag later
    /// moved has no name left to find it by.
    pub built: Vec<String>,
    /// What was refused, and why.
    pub refused: Vec<String>,
    /// The engine the guard stands in front of (`unix:///…`), as [`Engine::host`] says.
    engine: String,
}

/// A running guard; it stops when dropped.
pub struct Guard {
    host: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Guard {
    /// The address to give the script: `unix:///…/docker.sock` on unix, a loopback
    /// `tcp://127.0.0.1:PORT` on Windows.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn ledger(&self) -> Ledger {
        self.ledger.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Ok(l) = self.ledger.lock() {
            l.release();
        }
    }
}

/// The image ids in the ledgers of this process's running guards, with how many hold
/// each: two scripts side by side (`lab verify --jobs`) can build the same image from the
/// cache, and the one that ends first must not remove what the other still uses.
static HELD: Mutex<std::collections::BTreeMap<(String, String), usize>> =
    Mutex::new(std::collections::BTreeMap::new());

/// Whether the script of a running guard in front of `engine` built or committed the
/// image `id`.
pub fn held(engine: &Engine, id: &str) -> bool {
    held_on(engine.host(), id)
}

fn held_on(host: &str, id: &str) -> bool {
    let key = (host.to_string(), id.to_string());
    HELD.lock().map(|h| h.contains_key(&key)).unwrap_or(true)
}

impl Ledger {
    /// Note an image the script built or committed (once per ledger).
    fn built(&mut self, id: String) {
        if self.built.contains(&id) {
            return;
        }
        if let Ok(mut held) = HELD.lock() {
            *held.entry((self.engine.clone(), id.clone())).or_default() += 1;
        }
        self.built.push(id);
    }

    /// Its guard is gone: its images are no longer held by it.
    fn release(&self) {
        let Ok(mut held) = HELD.lock() else {
            return;
        };
        for id in &self.built {
            let key = (self.engine.clone(), id.clone());
            if let Some(n) = held.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    held.remove(&key);
                }
            }
        }
    }
}

struct Ctx {
    upstream: String,
    /// The only host folder containers may mount; `None`: nothing is refused (a course
    /// author's own solution), the ledger is kept all the same.
    workspace: Option<PathBuf>,
    ledger: Arc<Mutex<Ledger>>,
}

/// Start a guard in front of `engine` for a script working in `workspace` (the only host
/// folder its containers may mount).
pub async fn start(engine: &Engine, workspace: &Path) -> std::io::Result<Guard> {
    listen(engine, Some(workspace.to_path_buf())).await
}

/// Start a guard that refuses nothing and only keeps the ledger: for the course's own
/// solutions (`lab verify`), so that what they made is known by id.
pub async fn record(engine: &Engine) -> std::io::Result<Guard> {
    listen(engine, None).await
}

async fn listen(engine: &Engine, workspace: Option<PathBuf>) -> std::io::Result<Guard> {
    listen_on(engine.host(), workspace).await
}

/// A guard in front of the engine at `upstream` (`unix:///…`, `tcp://…`).
async fn listen_on(upstream: &str, workspace: Option<PathBuf>) -> std::io::Result<Guard> {
    let dir = tempfile::Builder::new().prefix("lab-engine-").tempdir()?;
    let (listener, host) = crate::platform::guard_listen(dir.path()).await?;
    let ledger = Arc::new(Mutex::new(Ledger {
        engine: upstream.to_string(),
        ..Ledger::default()
    }));
    let ctx = Arc::new(Ctx {
        upstream: upstream.to_string(),
        workspace,
        ledger: ledger.clone(),
    });
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                _ = stopped.cancelled() => break,
                r = listener.accept() => match r {
                    Ok((s, _)) => s,
                    Err(_) => continue,
                },
            };
            let ctx = ctx.clone();
            let stopped = stopped.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let ctx = ctx.clone();
                    async move { Ok::<_, Infallible>(handle(req, &ctx).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades();
                tokio::select! {
                    _ = conn => {}
                    _ = stopped.cancelled() => {}
                }
            });
        }
    });
    Ok(Guard {
        host,
        ledger,
        stop,
        _dir: dir,
    })
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

fn reply(status: StatusCode, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn handle(mut req: Request<Incoming>, ctx: &Ctx) -> Response<Body> {
    let path = request::api_path(req.uri().path());
    let method = req.method().as_str().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let creates = method == "POST"
        && matches!(
            path.as_str(),
            "/containers/create" | "/networks/create" | "/volumes/create"
        );
    let inspected = creates
        || (method == "POST" && (path.ends_with("/exec") || policy::container_start(&path)));
    let client_upgrade = req
        .headers()
        .contains_key(hyper::header::UPGRADE)
        .then(|| hyper::upgrade::on(&mut req));
    let (parts, body) = req.into_parts();
    let (body, json) = if inspected {
        match Limited::new(body, 4 << 20).collect().await {
            Ok(b) => {
                let bytes = b.to_bytes();
                let v = request::body(&bytes);
                (full(bytes), v)
            }
            Err(e) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    &format!("reading the request: {e}"),
                );
            }
        }
    } else {
        (body.boxed(), Some(serde_json::Value::Null))
    };
    let mut refused = ctx.workspace.as_deref().and_then(|ws| match &json {
        // The engine would act on what the guard cannot see.
        None => Some("a request whose body is not one JSON value, or gives a key twice".into()),
        Some(v) => policy::refuse(&method, &path, &query, v, ws),
    });
    let json = json.unwrap_or_default();
    // What the body cannot say: the mounts of the containers it names, as the engine has
    // them now.
    if let Some(ws) = ctx.workspace.as_deref()
        && refused.is_none()
        && method == "POST"
    {
        if path == "/containers/create" || policy::container_start(&path) {
            refused = inspect::inherited_host_folders(&ctx.upstream, &json, ws).await;
        }
        if refused.is_none()
            && let Some(id) = policy::started_container(&path)
        {
            refused = inspect::judged_again(&ctx.upstream, &ctx.ledger, id, ws).await;
        }
    }
    if let Some(why) = refused {
        if let Ok(mut l) = ctx.ledger.lock() {
            l.refused.push(why.clone());
        }
        return reply(
            StatusCode::FORBIDDEN,
            &format!("refused by lab's policy for submissions: {why}"),
        );
    }
    // `docker volume create NAME` succeeds for a volume that is already there (someone
    // else's, with its data): only one that was not is the script's to remove.
    let existed = method == "POST"
        && path == "/volumes/create"
        && inspect::volume_existed(&ctx.upstream, &json).await;
    // `docker run -v data:/x` creates `data` when it is not there: then it is the script's
    // too, and must not carry one student's files over to the next.
    let mut implicit = Vec::new();
    if method == "POST" && path == "/containers/create" {
        for name in request::named_volumes(&json) {
            if inspect::volume_exists(&ctx.upstream, &name).await == Some(false) {
                implicit.push(name);
            }
        }
    }
    let mut sender = match connect(&ctx.upstream).await {
        Ok(s) => s,
        Err(e) => return reply(StatusCode::BAD_GATEWAY, &format!("the engine: {e}")),
    };
    let mut resp = match sender.send_request(Request::from_parts(parts, body)).await {
        Ok(r) => r,
        Err(e) => return reply(StatusCode::BAD_GATEWAY, &format!("the engine: {e}")),
    };
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        // attach / exec start: one raw stream each way, after the 101.
        let engine_upgrade = hyper::upgrade::on(&mut resp);
        if let Some(client_upgrade) = client_upgrade {
            tokio::spawn(async move {
                if let (Ok(a), Ok(b)) = (client_upgrade.await, engine_upgrade.await) {
                    let _ =
                        tokio::io::copy_bidirectional(&mut TokioIo::new(a), &mut TokioIo::new(b))
                            .await;
                }
            });
        }
        let (parts, _) = resp.into_parts();
        return Response::from_parts(parts, full(Bytes::new()));
    }
    let ok = resp.status().is_success();
    if ok && method == "POST" && path == "/build" {
        // The new image's id is in the build's output stream, which goes on to the
        // script as it comes.
        let quiet = form_urlencoded::parse(query.as_bytes())
            .any(|(k, v)| k == "q" && matches!(v.as_ref(), "1" | "true"));
        let (parts, body) = resp.into_parts();
        return Response::from_parts(parts, built_ids(body, quiet, ctx.ledger.clone()));
    }
    // What a create or a commit made is named in its (small) answer.
    let commits = method == "POST" && path == "/commit";
    if ok && (creates || commits) {
        let (parts, body) = resp.into_parts();
        let bytes = match Limited::new(body, 1 << 20).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => return reply(StatusCode::BAD_GATEWAY, &format!("the engine: {e}")),
        };
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let id = v["Id"].as_str().or(v["Name"].as_str()).map(str::to_string);
        if let (Some(id), Ok(mut l)) = (id, ctx.ledger.lock()) {
            match path.as_str() {
                "/containers/create" => {
                    l.containers.push(id);
                    for name in implicit {
                        if !l.volumes.contains(&name) {
                            l.volumes.push(name);
                        }
                    }
                }
                "/networks/create" => l.networks.push(id),
                "/volumes/create" if !existed => l.volumes.push(id),
                "/volumes/create" => {}
                _ => l.built(id),
            }
        }
        if commits {
            l_tags(&ctx.ledger, image_tags(&path, &query));
        }
        return Response::from_parts(parts, full(bytes));
    }
    if ok && method == "POST" {
        l_tags(&ctx.ledger, image_tags(&path, &query));
    }
    let (parts, body) = resp.into_parts();
    Response::from_parts(parts, body.boxed())
}

fn l_tags(ledger: &Mutex<Ledger>, tags: Vec<String>) {
    if !tags.is_empty()
        && let Ok(mut l) = ledger.lock()
    {
        l.images.extend(tags);
    }
}

/// A build's output, passed on as it comes, with the id of each image it made noted in
/// the ledger: `{"aux":{"ID":"sha256:…"}}`, or with `-q` (`quiet`) a bare
/// `{"stream":"sha256:…\n"}`. Only a quiet build's stream is read: otherwise it carries
/// what the build's own steps print, and a `RUN echo sha256:…` must not name an image
/// as the script's. The messages are JSON lines that may be split across frames.
fn built_ids(body: Incoming, quiet: bool, ledger: Arc<Mutex<Ledger>>) -> Body {
    let mut line: Vec<u8> = Vec::new();
    body.map_frame(move |frame| {
        if let Some(data) = frame.data_ref() {
            for &b in data.iter() {
                if b == b'\n' {
                    if let (Some(id), Ok(mut l)) = (built_id(&line, quiet), ledger.lock()) {
                        l.built(id);
                    }
                    line.clear();
                } else if line.len() < 4096 {
                    // Longer lines are progress or logs, never an id.
                    line.push(b);
                }
            }
        }
        frame
    })
    .boxed()
}

/// The image id one line of a build's output announces, if it does.
fn built_id(line: &[u8], quiet: bool) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(line.trim_ascii()).ok()?;
    let stream = || v["stream"].as_str().filter(|_| quiet).map(str::trim);
    let id = v["aux"]["ID"].as_str().or_else(stream)?;
    let hex = id.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
}

/// The image tags a build, tag or commit request names.
fn image_tags(path: &str, query: &str) -> Vec<String> {
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let with_tag = |repo: String| {
        let tag = get("tag")
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "latest".into());
        format!("{repo}:{tag}")
    };
    let latest = |t: &String| {
        let last = t.rsplit('/').next().unwrap_or(t);
        if last.contains(':') {
            t.clone()
        } else {
            format!("{t}:latest")
        }
    };
    if path == "/build" {
        return params
            .iter()
            .filter(|(k, _)| k == "t")
            .map(|(_, v)| latest(v))
            .collect();
    }
    if path == "/commit" || (path.starts_with("/images/") && path.ends_with("/tag")) {
        return get("repo")
            .filter(|r| !r.is_empty())
            .map(with_tag)
            .into_iter()
            .collect();
    }
    Vec::new()
}

type Sender = hyper::client::conn::http1::SendRequest<Body>;

/// A fresh connection to the engine per request: the script's requests are few, and an
/// upgraded one takes its connection with it.
async fn connect(upstream: &str) -> std::io::Result<Sender> {
    match super::connect::parse_host(upstream) {
        Some(super::connect::Host::Tcp(addr)) => {
            handshake(tokio::net::TcpStream::connect(addr).await?).await
        }
        // unix:// here, npipe:// on Windows; the other is refused with a reason.
        Some(_) => handshake(crate::platform::connect_local(upstream).await?).await,
        None => Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            format!("the engine {upstream}: not a unix://, npipe:// or tcp:// address"),
        )),
    }
}

async fn handshake<S>(stream: S) -> std::io::Result<Sender>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.with_upgrades().await;
    });
    Ok(sender)
}

impl Ledger {
    /// What the script created, to remove with the lab (still there or not).
    pub fn made(&self) -> super::teardown::Also {
        super::teardown::Also {
            containers: self.containers.clone(),
            networks: self.networks.clone(),
            volumes: self.volumes.clone(),
            images: self.images.clone(),
            keep_networks: false,
        }
    }
}

#[cfg(test)]
mod tests;
