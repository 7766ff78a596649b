//! `lab watch --json` through the real binary and engine: a change made with the docker CLI
//! and a file written in the workspace each turn their check green in a re-grade; the
//! grader's own probes do not make it grade again; Ctrl-C ends it with 130, recorded.
// It ends lab with SIGINT, which Windows has no way to send a child.
#![cfg(unix)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use support::{Project, course, lab_bin};

fn lab_text(project: &str) -> String {
    format!(
        "---\ntitle: Watch\n---\n\n```yaml stack\nservices:\n  web:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    healthcheck: {{ test: [\"CMD\", \"true\"], interval: 1s }}\n```\n\n## Make things\n\n\
         ```yaml check\nid: net\ntitle: the network exists\nnetwork: {{ name: {project}-made }}\n```\n\n\
         ```yaml check\nid: note\ntitle: note.txt says hi\nfile: {{ path: note.txt, contains: hi }}\n```\n\n\
         ```yaml check\nid: probe\ntitle: web answers a command\nexec: {{ service: web, cmd: \"true\" }}\n```\n"
    )
}

/// The next JSON line, within a generous bound (the test fails rather than hangs).
fn next(rx: &mpsc::Receiver<serde_json::Value>) -> serde_json::Value {
    rx.recv_timeout(Duration::from_secs(60))
        .expect("lab watch printed a re-grade")
}

fn status(v: &serde_json::Value, id: &str) -> String {
    v["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .and_then(|c| c["status"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn watch_turns_green_on_docker_and_file_changes() {
    let p = Project::new("watch");
    let dir = course(&[("watched", &lab_text(&p.name))], &[]);
    let home = tempfile::tempdir().expect("home");
    let ws = support::workspace();
    let o = Command::new(lab_bin())
        .args(["start", "watched", "--project", &p.name, "-q"])
        .current_dir(dir.path())
        .env("LAB_HOME", home.path())
        .output()
        .expect("start");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut child = Command::new(lab_bin())
        .args([
            "watch",
            "watched",
            "--project",
            &p.name,
            "--json",
            "--workspace",
            ws.path().to_str().unwrap_or_default(),
        ])
        .current_dir(dir.path())
        .env("LAB_HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lab watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = tx.send(v);
            }
        }
    });

    let first = next(&rx);
    assert_eq!(first["cause"], "start");
    assert_eq!(status(&first, "net"), "fail");
    assert_eq!(status(&first, "probe"), "pass");

    // A network made with the docker CLI.
    let net = format!("{}-made", p.name);
    let made = Command::new("docker")
        .args([
            "network",
            "create",
            "--label",
            &format!("io.lab.project={}", p.name),
            &net,
        ])
        .output()
        .expect("docker network create");
    assert!(made.status.success());
    let mut v = next(&rx);
    while status(&v, "net") != "pass" {
        v = next(&rx);
    }
    assert_eq!(v["cause"], "docker", "{v}");

    // A file written in the workspace.
    std::fs::write(ws.path().join("note.txt"), "hi\n").expect("write");
    let mut v = next(&rx);
    while status(&v, "note") != "pass" {
        v = next(&rx);
    }
    assert_eq!(v["cause"], "file", "{v}");
    assert_eq!(v["score"], v["max_score"]);

    // Quiet now: neither its own probes (the exec check) nor web's health checks (every
    // second) make it grade again. A few seconds with nothing printed.
    while rx.recv_timeout(Duration::from_secs(2)).is_ok() {}
    assert!(
        rx.recv_timeout(Duration::from_secs(4)).is_err(),
        "lab watch kept grading with nothing changing"
    );

    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(i32::try_from(child.id()).unwrap_or(0), libc::SIGINT);
    }
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    // Its re-grades were recorded: the lab is done.
    let o = Command::new(lab_bin())
        .args(["progress", "--json"])
        .current_dir(dir.path())
        .env("LAB_HOME", home.path())
        .output()
        .expect("progress");
    let prog: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(prog["labs"][0]["status"], "done", "{prog}");
    let _ = Command::new(lab_bin())
        .args(["stop", "watched", "--project", &p.name])
        .current_dir(dir.path())
        .output();
}
