//! `lab debug` through the real binary against the real engine: a crashed container, an
//! OOM-killed one, an unhealthy one, one on no network, and a lab service cut off from its
//! dependency next to one that reaches it; each diagnosis asserted.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::Project;

fn lab(course: Option<&Path>, args: &[&str]) -> Output {
    let home = support::workspace();
    let mut cmd = Command::new(support::lab_bin());
    if let Some(c) = course {
        cmd.arg("--course").arg(c);
    }
    // Outside any course: the name is a container's.
    let out = cmd
        .args(args)
        .current_dir(home.path())
        .env("LAB_HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("LAB_COURSE")
        .output()
        .expect("run lab");
    drop(home);
    out
}

/// `lab debug NAME --json`: what it found.
fn debug(course: Option<&Path>, args: &[&str]) -> Value {
    let mut all = vec!["debug", "--json"];
    all.extend_from_slice(args);
    let o = lab(course, &all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "lab debug failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("debug --json is JSON");
    v["debug"].clone()
}

fn diagnosis(d: &Value) -> String {
    d["diagnosis"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Wait (bounded) until `docker inspect -f FORMAT name` prints `want`.
fn wait_for(name: &str, format: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let o = Command::new("docker")
            .args(["inspect", "-f", format, name])
            .output()
            .expect("docker inspect");
        let got = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name}: {format} is {got}, not {want}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_crashed_container_shows_its_exit_and_last_words() {
    let p = Project::new("debug-crash");
    let name = p.run(
        "app",
        &[
            support::IMAGE,
            "sh",
            "-c",
            "echo starting; echo 'config missing: /etc/app.conf' >&2; exit 3",
        ],
    );
    wait_for(&name, "{{.State.Status}}", "exited");
    let d = debug(None, &[&name]);
    assert_eq!(d["state"], "exited");
    assert_eq!(d["exit_code"], 3);
    assert_eq!(d["oom_killed"], false);
    let logs = d["logs"].to_string();
    assert!(logs.contains("config missing"), "{logs}");
    let why = diagnosis(&d);
    assert!(
        why.starts_with(
            "exited 3: the program failed: its last error line says \"config missing: /etc/app.conf\""
        ),
        "{why}"
    );

    // The text form says the same.
    let o = lab(None, &["debug", &name]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("exited 3") && text.contains("diagnosis"),
        "{text}"
    );
    assert!(text.contains("│ config missing: /etc/app.conf"), "{text}");
}

#[test]
fn an_oom_killed_container_blames_its_memory_limit() {
    let p = Project::new("debug-oom");
    let name = p.run(
        "hog",
        &[
            "--memory",
            "16m",
            support::IMAGE,
            "sh",
            "-c",
            "x=a; while true; do x=$x$x; done",
        ],
    );
    wait_for(&name, "{{.State.Status}}", "exited");
    let d = debug(None, &[&name]);
    assert_eq!(d["oom_killed"], true, "{d:#}");
    assert_eq!(d["exit_code"], 137);
    assert_eq!(d["memory_limit"], 16 << 20);
    assert_eq!(
        diagnosis(&d),
        "exited 137 and OOMKilled: the memory limit (16 MiB) is too low for what it runs"
    );
}

#[test]
fn an_unhealthy_container_shows_what_its_check_said() {
    let p = Project::new("debug-sick");
    let name = p.run(
        "web",
        &[
            "--health-cmd",
            "echo no answer on 8080; exit 1",
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
            support::IMAGE,
            "sleep",
            "120",
        ],
    );
    wait_for(&name, "{{.State.Health.Status}}", "unhealthy");
    let d = debug(None, &[&name]);
    assert_eq!(d["health"]["status"], "unhealthy");
    let why = diagnosis(&d);
    assert!(
        why.starts_with("unhealthy: its health check failed"),
        "{why}"
    );
    assert!(
        why.contains("exited 1 and said \"no answer on 8080\""),
        "{why}"
    );
    // A running container gets a usage sample.
    assert!(
        d["usage"]["memory"].as_u64().is_some_and(|m| m > 0),
        "{d:#}"
    );
}

#[test]
fn a_container_on_no_network_is_said_to_be_cut_off() {
    let p = Project::new("debug-none");
    let name = p.run(
        "lonely",
        &["--network", "none", support::IMAGE, "sleep", "120"],
    );
    wait_for(&name, "{{.State.Status}}", "running");
    let d = debug(None, &[&name]);
    let why = diagnosis(&d);
    assert!(why.contains("on no network (network_mode: none)"), "{why}");
}

const ISOLATED: &str = r#"---
title: Isolated
---

# Isolated

```yaml stack
services:
  db:
    image: busybox:1.36
    command: ["nc", "-ll", "-p", "5432", "-e", "cat"]
    expose: ["5432"]
    networks: [back]
  web:
    image: busybox:1.36
    command: ["sleep", "300"]
    networks: [front, back]
    depends_on: [db]
  app:
    image: busybox:1.36
    command: ["sleep", "300"]
    networks: [front]
    depends_on: [db]
networks:
  front: {}
  back: {}
```

## Task

```yaml check
id: up
title: web runs
container: { service: web, state: running }
```
"#;

#[test]
fn a_service_cut_off_from_its_dependency_is_told_apart_from_one_that_reaches_it() {
    let p = Project::new("debug-net");
    let course = support::course(&[("isolated", ISOLATED)], &[]);
    let c = Some(course.path());
    let o = lab(c, &["start", "isolated", "--project", &p.name]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let app = debug(c, &["app", "--lab", "isolated", "--project", &p.name]);
    let why = diagnosis(&app);
    assert!(
        why.contains("cannot reach its dependency db: they share no network"),
        "{why}"
    );
    let db = app["peers"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "db"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(db["dependency"], true, "{app:#}");
    assert_eq!(db["shared_networks"].as_array().map(Vec::len), Some(0));

    let web = debug(c, &["web", "--lab", "isolated", "--project", &p.name]);
    let db = web["peers"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "db"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(db["resolves"], true, "{web:#}");
    assert_eq!(db["ports"][0]["port"], 5432);
    assert_eq!(db["ports"][0]["open"], true, "{web:#}");
    assert!(diagnosis(&web).ends_with("nothing wrong found"), "{web:#}");

    // A dependency that stopped is named before anything about names or ports.
    let o = Command::new("docker")
        .args(["stop", "-t", "0", &format!("{}-db", p.name)])
        .output()
        .expect("docker stop");
    assert!(o.status.success());
    let web = debug(c, &["web", "--lab", "isolated", "--project", &p.name]);
    let why = diagnosis(&web);
    assert!(
        why.starts_with(&format!(
            "its dependency db is exited (137): `lab debug {}-db`",
            p.name
        )),
        "{why}"
    );
    assert!(!why.contains("does not resolve"), "{why}");

    let o = lab(c, &["stop", "isolated", "--project", &p.name, "--volumes"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

/// Ctrl-C while `lab debug` looks from inside: exit 130 (or done, when it was quicker),
/// and no probe container left.
#[cfg(unix)]
#[test]
fn debug_interrupted_leaves_no_probe_behind() {
    let p = Project::new("debug-int");
    let net = p.network("net", &[]);
    let _peer = p.run(
        "peer",
        &[
            "--network",
            &net,
            "--expose",
            "80",
            support::IMAGE,
            "sleep",
            "120",
        ],
    );
    let name = p.run("app", &["--network", &net, support::IMAGE, "sleep", "120"]);
    wait_for(&name, "{{.State.Status}}", "running");
    for delay in [30u64, 120, 300, 700] {
        let home = support::workspace();
        let mut child = Command::new(support::lab_bin())
            .args(["debug", &name])
            .current_dir(home.path())
            .env("LAB_HOME", home.path())
            .env_remove("LAB_COURSE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn lab debug");
        std::thread::sleep(Duration::from_millis(delay));
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(i32::try_from(child.id()).expect("pid"), libc::SIGINT);
        }
        let code = child.wait().expect("wait").code();
        assert!(
            matches!(code, Some(130) | Some(0)),
            "after {delay} ms: exit {code:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
        let o = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                &format!("label=io.lab.project={}", p.name),
            ])
            .args(["--filter", "label=io.lab.helper"])
            .output()
            .expect("docker ps");
        let left = String::from_utf8_lossy(&o.stdout).trim().to_string();
        assert!(left.is_empty(), "after {delay} ms a probe was left: {left}");
    }
}

/// The text report of a crash-looping service cut off from one dependency, as a student
/// reads it (built from figures, so it does not depend on the engine).
#[test]
fn the_report_reads_in_order_state_first_diagnosis_last() {
    use lab::session::debug::{Debugged, Health, HealthRun, Mount, Network, Peer};
    let d = Debugged {
        container: "week3-orders".into(),
        id: "abc".into(),
        service: Some("orders".into()),
        project: Some("week3".into()),
        image: "week3-orders:lab".into(),
        state: "restarting".into(),
        exit_code: 1,
        restart_count: 4,
        restart_policy: "on-failure".into(),
        started_at: "2026-12-06T10:00:00Z".into(),
        finished_at: "2026-12-06T10:00:01Z".into(),
        command: vec!["sh".into(), "-c".into(), "exec ./orders --db db:5432".into()],
        health: Some(Health {
            status: "unhealthy".into(),
            failing_streak: 3,
            test: vec!["CMD-SHELL".into(), "wget -q -O- http://127.0.0.1:8080/health".into()],
            log: vec![HealthRun {
                exit_code: 1,
                output: "wget: can't connect to remote host: Connection refused".into(),
            }],
        }),
        mounts: vec![Mount {
            kind: "volume".into(),
            source: "week3-orders-logs".into(),
            destination: "/var/log/orders".into(),
            read_only: false,
        }],
        network_mode: "week3-back".into(),
        networks: vec![Network {
            name: "week3-back".into(),
            ip: "172.20.0.3".into(),
            aliases: vec!["orders".into()],
        }],
        memory_limit: Some(64 << 20),
        peers: vec![Peer {
            name: "db".into(),
            container: Some("week3-db".into()),
            state: "running".into(),
            dependency: true,
            networks: vec!["week3-data".into()],
            ..Peer::default()
        }],
        peers_note: Some("not looked at from inside: the container is restarting".into()),
        logs: vec![
            "orders: starting".into(),
            "orders: cannot connect to db:5432: no such host".into(),
        ],
        diagnosis: vec![
            "exited 1: the program failed: the last log line says \"orders: cannot connect to db:5432: no such host\"".into(),
            "restarted 4 times by its restart policy (on-failure): it fails every time it starts".into(),
        ],
        ..Debugged::default()
    };
    insta::assert_snapshot!(lab::ui::debug_view::render(&d, &lab::ui::Style::PLAIN));
}
