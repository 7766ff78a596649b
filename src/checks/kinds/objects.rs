//! `network`, `volume`, `image`: an engine object exists (or not) with the fields given.

use serde_json::Value;

use crate::checks::context::{RunContext, engine_names};
use crate::checks::matcher::{json, json_text};
use crate::checks::outcome::Outcome;
use crate::checks::words::{and_list, seen, unmet, wanted};
use crate::engine::inspect;
use crate::model::{ImageCheck, Matcher, NetworkCheck, VolumeCheck};

/// The engine objects a check may name.
#[derive(Clone, Copy)]
enum Object {
    Network,
    Volume,
}

/// Look a name up as written, then as the lab's project names it (`<project>-<name>`); a
/// name of the lab's stack only as the project's ([`engine_names`]).
async fn inspect(
    ctx: &RunContext,
    kind: Object,
    name: &str,
) -> Result<Option<(String, Value)>, String> {
    let engine = ctx.engine()?;
    let stack = match kind {
        Object::Network => &ctx.networks,
        Object::Volume => &ctx.volumes,
    };
    for candidate in engine_names(&ctx.project, stack, name) {
        let found = match kind {
            Object::Network => inspect::network(engine, &candidate).await,
            Object::Volume => inspect::volume(engine, &candidate).await,
        };
        match found {
            Ok(Some(v)) => return Ok(Some((candidate, v))),
            Ok(None) => continue,
            Err(e) => return Err(format!("could not inspect {name}: {e}")),
        }
    }
    Ok(None)
}

fn existence(kind: &str, name: &str, want: bool, found: bool) -> Option<Outcome> {
    match (want, found) {
        (true, false) => Some(Outcome::missing(format!("there is no {kind} {name}"))),
        (false, true) => Some(Outcome::fail(format!(
            "expected no {kind} {name}; there is one"
        ))),
        (false, false) => Some(Outcome::pass(format!("there is no {kind} {name}"))),
        (true, true) => None,
    }
}

/// Each wanted label present and matching; mismatches appended to `p`.
pub fn labels(v: &Value, ptr: &str, want: &[(String, Matcher)], p: &mut Vec<String>) {
    let have = v.pointer(ptr).cloned().unwrap_or(Value::Null);
    for (k, m) in want {
        match have.get(k) {
            Some(val) if json(m, val) => {}
            Some(val) => p.push(format!(
                "expected its label {k} to {}; it is {}",
                wanted(unmet(m, &|x| json(x, val))),
                seen(&json_text(val))
            )),
            None => p.push(format!("expected a label {k}; it has none")),
        }
    }
}

fn verdict(kind: &str, name: &str, p: Vec<String>, evidence: String) -> Outcome {
    if p.is_empty() {
        Outcome::pass(format!("the {kind} {name} is as the task asks")).evidence(evidence)
    } else {
        Outcome::fail(format!("the {kind} {name}: {}", p.join("; "))).evidence(evidence)
    }
}

/// The object as the check wants it: `Ok` to look at its fields, `Err` with the outcome
/// when existence alone decides (or the lookup failed).
async fn resolve(
    ctx: &RunContext,
    kind: Object,
    name: &str,
    exists: bool,
) -> Result<(String, Value), Outcome> {
    let word = match kind {
        Object::Network => "network",
        Object::Volume => "volume",
    };
    let found = inspect(ctx, kind, name).await.map_err(Outcome::error)?;
    match existence(word, name, exists, found.is_some()) {
        Some(o) => Err(o),
        None => Ok(found.unwrap_or_default()),
    }
}

/// Whether the container `want` names (a service of the lab, whatever its container is
/// called, or a container) is connected to the network `network` with the id `id` though
/// the network does not list it: the engine lists running containers only, and an init
/// job that ran on it and exited is still connected, as `docker inspect` shows (to this
/// network, not to one removed and made again under its name).
async fn connected(ctx: &RunContext, want: &str, network: &str, id: &str) -> bool {
    let Ok(engine) = ctx.engine() else {
        return false;
    };
    let found = match crate::engine::find::service(engine, &ctx.project, want).await {
        Ok(Some(f)) => Some(f),
        _ => crate::engine::find::container(engine, want)
            .await
            .ok()
            .flatten(),
    };
    let Some(found) = found else {
        return false;
    };
    match inspect::container(engine, &found.id).await {
        Ok(Some(v)) => v
            .pointer("/NetworkSettings/Networks")
            .and_then(Value::as_object)
            .and_then(|nets| nets.get(network))
            .and_then(|n| n.get("NetworkID"))
            .and_then(Value::as_str)
            .is_some_and(|n| !id.is_empty() && n == id),
        _ => false,
    }
}

/// The object's driver, when the check names one.
fn driver(v: &Value, want: Option<&String>, p: &mut Vec<String>) {
    if let Some(d) = want {
        let got = json_text(v.pointer("/Driver").unwrap_or(&Value::Null));
        if &got != d {
            p.push(format!("expected the driver {d}; it uses {got}"));
        }
    }
}

pub async fn network(ctx: &RunContext, c: &NetworkCheck) -> Outcome {
    let found = resolve(ctx, Object::Network, &c.name, c.exists).await;
    let (name, v) = match found {
        Ok(f) => f,
        Err(o) => return o,
    };
    let mut p = Vec::new();
    driver(&v, c.driver.as_ref(), &mut p);
    if let Some(want) = c.internal {
        let got = v
            .pointer("/Internal")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if got != want {
            p.push(if want {
                "expected it to be internal (no way out of it); it is not".to_string()
            } else {
                "expected it not to be internal; it is".to_string()
            });
        }
    }
    let attached: Vec<String> = v
        .pointer("/Containers")
        .and_then(Value::as_object)
        .map(|o| {
            o.values()
                .map(|c| json_text(c.get("Name").unwrap_or(&Value::Null)))
                .collect()
        })
        .unwrap_or_default();
    let network_id = json_text(v.pointer("/Id").unwrap_or(&Value::Null));
    for want in &c.containers {
        let on = |n: &str| attached.iter().any(|a| a == n);
        let scoped = format!("{}-{want}", ctx.project);
        // A service with replicas is on it when each replica is (`<project>-<service>-N`);
        // a stopped one that is still connected is, as any container.
        let missing: Vec<String> = match ctx.replicas.get(want.as_str()) {
            Some(&n) => {
                let mut missing = Vec::new();
                for i in 1..=n {
                    let r = crate::engine::plan::replica_name(&ctx.project, want, i);
                    if !on(&r) && !connected(ctx, &r, &name, &network_id).await {
                        missing.push(r);
                    }
                }
                missing
            }
            None if on(want) || on(&scoped) => Vec::new(),
            None if connected(ctx, want, &name, &network_id).await => Vec::new(),
            None => vec![want.clone()],
        };
        if !missing.is_empty() {
            p.push(format!(
                "expected {} to be on it; {}",
                and_list(&missing),
                if attached.is_empty() {
                    "no container is".to_string()
                } else {
                    format!(
                        "only {} {}",
                        and_list(&attached),
                        if attached.len() == 1 { "is" } else { "are" }
                    )
                }
            ));
        }
    }
    labels(&v, "/Labels", &c.labels, &mut p);
    verdict(
        "network",
        &name,
        p,
        format!("attached: {}\n", attached.join(", ")),
    )
}

pub async fn volume(ctx: &RunContext, c: &VolumeCheck) -> Outcome {
    let found = resolve(ctx, Object::Volume, &c.name, c.exists).await;
    let (name, v) = match found {
        Ok(f) => f,
        Err(o) => return o,
    };
    let mut p = Vec::new();
    driver(&v, c.driver.as_ref(), &mut p);
    labels(&v, "/Labels", &c.labels, &mut p);
    verdict("volume", &name, p, String::new())
}

pub async fn image(ctx: &RunContext, c: &ImageCheck) -> Outcome {
    let engine = match ctx.engine() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    let v = match inspect::image(engine, &c.name).await {
        Ok(v) => v,
        Err(e) => return Outcome::error(format!("could not inspect image {}: {e}", c.name)),
    };
    let v = match existence("image", &c.name, c.exists, v.is_some()) {
        Some(o) => return o,
        None => v.unwrap_or_default(),
    };
    let mut p = Vec::new();
    labels(&v, "/Config/Labels", &c.labels, &mut p);
    if let Some(m) = &c.user {
        // Newer engines leave an unset user out of the image's inspect: no user.
        let got = v
            .pointer("/Config/User")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(part) = crate::checks::equiv::user_unmet(m, &got) {
            p.push(format!(
                "expected its user to {}; it is {}",
                wanted(&part),
                if got.is_empty() {
                    "root (no user is set)".into()
                } else {
                    got
                }
            ));
        }
    }
    if let Some(want) = c.healthcheck {
        let test = v
            .pointer("/Config/Healthcheck/Test")
            .and_then(Value::as_array);
        let got = test
            .is_some_and(|t| t.first().and_then(Value::as_str) != Some("NONE") && !t.is_empty());
        if got != want {
            p.push(if want {
                "expected the image to have a HEALTHCHECK; it has none".into()
            } else {
                "expected the image to have no HEALTHCHECK; it has one".into()
            });
        }
    }
    let exposed: Vec<String> = v
        .pointer("/Config/ExposedPorts")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    for port in &c.exposed_ports {
        if !exposed.iter().any(|e| e.eq_ignore_ascii_case(&port.key())) {
            p.push(format!(
                "expected the image to expose port {port}; it exposes {}",
                if exposed.is_empty() {
                    "none".into()
                } else {
                    and_list(&exposed)
                }
            ));
        }
    }
    verdict("image", &c.name, p, String::new())
}
