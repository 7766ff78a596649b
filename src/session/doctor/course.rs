//! The course on this engine: its images (present, pullable, or built from the course), the
//! host ports it publishes (free, or who holds them), and labs already running.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Finding;
use crate::engine::{Engine, discover, find, system};
use crate::model::{Course, Protocol};
use crate::session::images;

pub async fn examine(engine: &Engine, course: &Course, out: &mut Vec<Finding>) {
    images(engine, course, out).await;
    ports(engine, course, out).await;
    running(engine, course, out).await;
}

async fn images(engine: &Engine, course: &Course, out: &mut Vec<Finding>) {
    let labs: Vec<&crate::model::Lab> = course.labs.iter().collect();
    let mut needed = match images::needed(course, &labs, None) {
        Ok(n) => n,
        Err(e) => {
            out.push(Finding::fail(
                "image",
                format!("the course's images could not be listed: {e}"),
            ));
            return;
        }
    };
    if let Err(e) = images::look(engine, &mut needed).await {
        out.push(Finding::fail(
            "image",
            format!("the engine could not say which images it has: {e}"),
        ));
        return;
    }
    // Only what would be pulled and is missing asks the registry (nothing is downloaded).
    let asks = needed.iter().map(|img| async move {
        if img.present || img.is_built() {
            None
        } else {
            Some(system::pullable(engine, &img.name, Duration::from_secs(15)).await)
        }
    });
    let pulls = futures_util::future::join_all(asks).await;
    for (img, pull) in needed.iter().zip(pulls) {
        let labs = img.labs.join(", ");
        let f = match (img.present, &img.built_from, pull) {
            (true, Some(dir), _) => Finding::ok(
                "image",
                format!("{} present (built from {dir}; {labs})", img.name),
            ),
            (true, None, _) => Finding::ok("image", format!("{} present ({labs})", img.name)),
            (false, Some(dir), _) => Finding::ok(
                "image",
                format!("{} is built from {dir} when {labs} starts", img.name),
            ),
            (false, None, Some(Ok(()))) => Finding::warn(
                "image",
                format!("{} is missing; its registry has it ({labs})", img.name),
            )
            .fix("`lab images pull` fetches every image the course needs"),
            (false, None, Some(Err(why))) => Finding::fail(
                "image",
                format!(
                    "{} is missing and cannot be pulled: {why} ({labs})",
                    img.name
                ),
            )
            .fix("on a machine with a registry: `lab images pull` and `lab images save FILE`; here: `lab images load FILE`"),
            (false, None, None) => Finding::fail("image", format!("{} is missing ({labs})", img.name)),
        };
        out.push(f.on(img.name.clone()));
    }
}

/// A host port the course publishes, and who asks for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct HostPort {
    port: u16,
    udp: bool,
    ip: Option<String>,
}

async fn ports(engine: &Engine, course: &Course, out: &mut Vec<Finding>) {
    // Each port, with the (lab, service) that publish it.
    let mut wanted: BTreeMap<HostPort, Vec<(String, String)>> = BTreeMap::new();
    for lab in &course.labs {
        for svc in lab.stack.iter().flat_map(|s| &s.services) {
            for p in &svc.ports {
                if let Some(port) = p.host_port {
                    let key = HostPort {
                        port,
                        udp: p.protocol == Protocol::Udp,
                        ip: p.host_ip.clone(),
                    };
                    wanted
                        .entry(key)
                        .or_default()
                        .push((lab.id.clone(), svc.name.clone()));
                }
            }
        }
    }
    if wanted.is_empty() {
        out.push(Finding::ok(
            "port",
            "the course publishes no fixed host ports (the engine picks free ones)",
        ));
        return;
    }
    let containers = find::list(engine, &find::Filter::default())
        .await
        .unwrap_or_default();
    let local = discover::is_local(engine.host());
    for (hp, users) in wanted {
        let label = format!("{}{}", hp.port, if hp.udp { "/udp" } else { "" });
        let ours = |c: &find::Listed| {
            c.label(crate::engine::labels::LAB)
                .is_some_and(|l| users.iter().any(|(lab, _)| lab == l))
        };
        let users = users
            .iter()
            .map(|(l, s)| format!("{l} {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        let proto = if hp.udp { "udp" } else { "tcp" };
        let holder = containers.iter().find(|c| {
            c.state == "running"
                && c.ports
                    .iter()
                    .any(|(_, host, _, p)| *host == hp.port && p == proto)
        });
        let f = match holder {
            Some(c) if ours(c) => Finding::ok(
                "port",
                format!(
                    "{label} is published by the running lab's {} ({users})",
                    c.name
                ),
            ),
            Some(c) => Finding::fail(
                "port",
                format!("{label} ({users}) is taken by container {}", c.name),
            )
            .fix(format!(
                "stop it (`docker stop {}`) before starting the lab",
                c.name
            )),
            None if !local => Finding::ok(
                "port",
                format!("{label} ({users}) is not published by any container"),
            ),
            None => match bindable(&hp) {
                Ok(()) => Finding::ok("port", format!("{label} is free ({users})")),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Finding::fail(
                    "port",
                    format!("{label} ({users}) is taken by a program on this machine"),
                )
                .fix(if cfg!(windows) {
                    format!("`netstat -ano | findstr :{}` names it; stop it", hp.port)
                } else {
                    format!("`ss -lntup 'sport = :{}'` names it; stop it", hp.port)
                }),
                Err(e) => {
                    Finding::warn("port", format!("{label} ({users}) could not be tried: {e}"))
                }
            },
        };
        out.push(f.on(label));
    }
}

/// Whether this machine lets a program listen on the port (what the engine's proxy will do).
fn bindable(hp: &HostPort) -> std::io::Result<()> {
    let ip = hp
        .ip
        .as_deref()
        .filter(|i| !i.is_empty())
        .unwrap_or("0.0.0.0");
    let addr = if ip.contains(':') {
        format!("[{ip}]:{}", hp.port)
    } else {
        format!("{ip}:{}", hp.port)
    };
    if hp.udp {
        std::net::UdpSocket::bind(addr).map(drop)
    } else {
        std::net::TcpListener::bind(addr).map(drop)
    }
}

async fn running(engine: &Engine, course: &Course, out: &mut Vec<Finding>) {
    let Ok(labs) = crate::engine::running_labs(engine).await else {
        return;
    };
    for r in labs.iter().filter(|r| course.lab(&r.lab).is_some()) {
        let (name, stop) = if r.lab == r.project {
            (r.lab.clone(), format!("lab stop {}", r.lab))
        } else {
            (
                format!("{} (project {})", r.lab, r.project),
                format!("lab stop {} --project {}", r.lab, r.project),
            )
        };
        out.push(
            Finding::warn("lab", format!("{name} is running"))
                .on(r.project.clone())
                .fix(format!("`{stop}` when you are done with it")),
        );
    }
}
