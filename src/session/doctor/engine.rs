//! The engine: which one (and why that one), whether it answers, its version, storage
//! driver and the free disk where its images live.

use super::Finding;
use crate::engine::discover;
use crate::engine::{Engine, system};

/// The oldest API `lab` is built and tested against (Docker 20.10).
const MIN_API: (u32, u32) = (1, 41);
const GIB: u64 = 1 << 30;

/// Find and reach the engine as every command does, saying what was tried; then its facts.
pub async fn examine(out: &mut Vec<Finding>) -> Option<Engine> {
    let (engine, failed) = match crate::engine::search().await {
        Ok(found) => found,
        Err(e) => {
            let text = e.to_string();
            let f = Finding::fail("engine", text.clone());
            // The other address errors (TLS, a broken config.json) say what to do.
            out.push(if text.contains("no docker context") {
                f.fix("`docker context ls` lists the contexts; `docker context use default` (or unsetting DOCKER_CONTEXT) goes back to the default engine")
            } else {
                f
            });
            return None;
        }
    };
    if let Some((_, c)) = &engine {
        out.push(
            Finding::ok("engine", format!("{} ({}) answers", c.host, c.origin)).on(c.host.clone()),
        );
    }
    let engine = engine.map(|(e, _)| e);
    for t in &failed {
        let f = Finding::new(
            if engine.is_some() {
                super::Status::Warn
            } else {
                super::Status::Fail
            },
            "engine",
            format!(
                "{} ({}): {}",
                t.candidate.host, t.candidate.origin, t.reason
            ),
        )
        .on(t.candidate.host.clone());
        out.push(match &engine {
            // Another engine answered: the student's `docker` command will not find it.
            Some(e) => f.fix(format!(
                "lab uses {} instead; for the docker command to use it too: `export DOCKER_HOST={}`",
                e.host(),
                e.host()
            )),
            None => f.fix(crate::engine::connect_fix(t)),
        });
    }
    let engine = engine?;
    match system::facts(&engine).await {
        Ok(facts) => {
            out.push(version(&facts));
            out.push(storage(&facts));
            out.push(disk(&engine, &facts));
        }
        Err(e) => out.push(Finding::fail(
            "version",
            format!("the engine did not say what it is: {e}"),
        )),
    }
    Some(engine)
}

fn version(f: &system::Facts) -> Finding {
    let text = format!("{} {}, API {}", f.product, f.version, f.api_version);
    let api = f
        .api_version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match api {
        Some(v) if v < MIN_API => Finding::fail(
            "version",
            format!(
                "{text}: lab needs API {}.{} (Docker 20.10) or newer",
                MIN_API.0, MIN_API.1
            ),
        )
        .fix("update the engine"),
        _ => Finding::ok("version", text),
    }
}

fn storage(f: &system::Facts) -> Finding {
    let text = format!("storage driver {}", f.storage_driver);
    if f.storage_driver == "vfs" {
        // vfs copies every layer in full: builds and starts are slow and disk fills.
        Finding::warn(
            "storage",
            format!("{text}: every layer is copied in full, so builds are slow and disks fill"),
        )
        .fix("configure overlay2 (\"storage-driver\" in /etc/docker/daemon.json)")
    } else {
        Finding::ok("storage", text)
    }
}

/// Free space where the engine keeps images: read here when its folder is on this machine.
fn disk(engine: &Engine, f: &system::Facts) -> Finding {
    let local = discover::is_local(engine.host());
    let root = std::path::Path::new(&f.root_dir);
    let free = (local && !f.root_dir.is_empty() && root.exists())
        .then(|| crate::platform::free_space(root))
        .flatten();
    let Some(free) = free else {
        return Finding::ok(
            "disk",
            format!(
                "free disk at {}: not readable from here (the engine's folder is on another machine)",
                f.root_dir
            ),
        );
    };
    let gib = free as f64 / GIB as f64;
    let text = format!("{gib:.1} GiB free at {}", f.root_dir);
    if free < GIB {
        Finding::fail("disk", format!("{text}: builds and pulls will fail"))
            .fix("free space: `docker system prune` removes stopped containers and unused images")
    } else if free < 5 * GIB {
        Finding::warn("disk", format!("{text}: little room for images"))
            .fix("`docker system df` shows what uses it; `docker system prune` frees it")
    } else {
        Finding::ok("disk", text)
    }
}
