//! `lab doctor` through the real binary against the real engine: a healthy machine, an
//! engine that is not where DOCKER_HOST (or a docker context) says, a course image that is
//! missing with no registry to pull it from, and a host port that something else holds.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// A one-lab course whose service uses `image` and publishes host port `port`.
fn course(image: &str, port: u16) -> tempfile::TempDir {
    let lab = format!(
        "---\ntitle: Doctor\n---\n\n# Doctor\n\n```yaml stack\nservices:\n  web:\n    image: {image}\n    command: [\"sleep\", \"300\"]\n    ports: [\"{port}:80\"]\n```\n\n## Task\n\n```yaml check\nid: up\ntitle: web runs\ncontainer: {{ service: web, state: running }}\n```\n"
    );
    support::course(&[("doctor", &lab)], &[])
}

fn doctor(course: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let home = support::workspace();
    let mut cmd = Command::new(support::lab_bin());
    cmd.arg("--course")
        .arg(course)
        .arg("doctor")
        .args(args)
        .env("LAB_HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_CONTEXT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run lab doctor");
    drop(home);
    out
}

/// The findings of `lab doctor --json`, and its exit code.
fn findings(course: &Path, env: &[(&str, &str)]) -> (Vec<Value>, Option<i32>) {
    let o = doctor(course, env, &["--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor --json is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert_eq!(v["ok"].as_bool(), Some(o.status.code() == Some(0)), "{v:#}");
    (
        v["findings"].as_array().cloned().unwrap_or_default(),
        o.status.code(),
    )
}

/// The one finding of `topic` (about `subject`, when given).
fn finding<'a>(all: &'a [Value], topic: &str, subject: Option<&str>) -> &'a Value {
    all.iter()
        .find(|f| f["topic"] == topic && subject.is_none_or(|s| f["subject"] == s))
        .unwrap_or_else(|| panic!("no {topic} finding ({subject:?}) in {all:#?}"))
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("0.0.0.0:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[test]
fn a_healthy_machine_has_nothing_in_the_way() {
    support::engine();
    let port = free_port();
    let c = course(support::IMAGE, port);
    let (all, code) = findings(c.path(), &[]);
    assert_eq!(code, Some(0), "{all:#?}");
    let engine = finding(&all, "engine", None);
    assert_eq!(engine["status"], "ok", "{engine}");
    assert!(
        engine["text"].as_str().unwrap_or("").contains("answers"),
        "{engine}"
    );
    let version = finding(&all, "version", None);
    assert!(
        version["text"].as_str().unwrap_or("").contains("API 1."),
        "{version}"
    );
    assert_eq!(finding(&all, "storage", None)["status"], "ok");
    assert!(
        finding(&all, "disk", None)["text"]
            .as_str()
            .unwrap_or("")
            .contains("free")
    );
    assert_eq!(finding(&all, "image", Some(support::IMAGE))["status"], "ok");
    let p = finding(&all, "port", Some(&port.to_string()));
    assert_eq!(p["status"], "ok", "{p}");
    assert!(p["text"].as_str().unwrap_or("").contains("is free"), "{p}");
    assert_eq!(finding(&all, "progress", None)["status"], "ok");
    assert!(all.iter().all(|f| f["status"] != "fail"), "{all:#?}");
}

#[test]
fn an_engine_that_is_not_there_is_named_with_the_fix() {
    support::engine();
    let c = course(support::IMAGE, free_port());
    let (all, code) = findings(
        c.path(),
        &[("DOCKER_HOST", "unix:///nonexistent/labt/docker.sock")],
    );
    assert_eq!(code, Some(3), "{all:#?}");
    let engine = finding(&all, "engine", None);
    assert_eq!(engine["status"], "fail", "{engine}");
    let text = engine["text"].as_str().unwrap_or("");
    assert!(
        text.contains("DOCKER_HOST") && text.contains("there is no socket"),
        "{text}"
    );
    assert!(
        engine["fix"].as_str().unwrap_or("").contains("DOCKER_HOST"),
        "{engine}"
    );
    // Nothing about the course is claimed without an engine; the store is still looked at.
    assert!(
        all.iter()
            .all(|f| f["topic"] != "image" && f["topic"] != "port"),
        "{all:#?}"
    );
    assert_eq!(finding(&all, "progress", None)["status"], "ok");

    // The text form: one line per finding, the fix beneath.
    let o = doctor(
        c.path(),
        &[("DOCKER_HOST", "unix:///nonexistent/labt/docker.sock")],
        &[],
    );
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let text = regex::Regex::new(r"store \S+ is writable")
        .map(|r| {
            r.replace(&text, "store [LAB_HOME]/progress.db is writable")
                .to_string()
        })
        .unwrap_or(text);
    insta::assert_snapshot!("doctor_no_engine", text);
}

#[test]
fn a_docker_context_is_followed_as_the_docker_cli_does() {
    support::engine();
    let c = course(support::IMAGE, free_port());
    // A config whose current context points at a socket that is not there.
    let config = support::workspace();
    std::fs::write(
        config.path().join("config.json"),
        r#"{"currentContext": "labt-away"}"#,
    )
    .expect("write config");
    let digest = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(b"labt-away"))
    };
    let meta = config.path().join("contexts/meta").join(digest);
    std::fs::create_dir_all(&meta).expect("mkdir");
    std::fs::write(
        meta.join("meta.json"),
        r#"{"Name":"labt-away","Endpoints":{"docker":{"Host":"unix:///nonexistent/labt/away.sock"}}}"#,
    )
    .expect("write meta");
    let dir = config.path().to_str().unwrap_or_default().to_string();
    let (all, code) = findings(c.path(), &[("DOCKER_CONFIG", &dir)]);
    assert_eq!(code, Some(3), "{all:#?}");
    let engine = finding(&all, "engine", None);
    let text = engine["text"].as_str().unwrap_or("");
    assert!(
        text.contains("labt-away") && text.contains("away.sock"),
        "{text}"
    );
    // DOCKER_HOST wins over the context, as with the docker CLI.
    let (all, code) = findings(
        c.path(),
        &[
            ("DOCKER_CONFIG", &dir),
            ("DOCKER_HOST", "unix:///var/run/docker.sock"),
        ],
    );
    assert_eq!(finding(&all, "engine", None)["status"], "ok", "{all:#?}");
    assert_eq!(code, Some(0));
    // A config.json that is not JSON is not guessed around.
    let broken = support::workspace();
    std::fs::write(broken.path().join("config.json"), "{ not json").expect("write");
    let dir2 = broken.path().to_str().unwrap_or_default().to_string();
    let (all, code) = findings(c.path(), &[("DOCKER_CONFIG", &dir2)]);
    assert_eq!(code, Some(3));
    let text = finding(&all, "engine", None)["text"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("config.json is not valid JSON"), "{text}");
    // A context that does not exist is named.
    let (all, code) = findings(c.path(), &[("DOCKER_CONTEXT", "labt-no-such-context")]);
    assert_eq!(code, Some(3));
    let text = finding(&all, "engine", None)["text"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("labt-no-such-context"), "{text}");
}

#[test]
fn a_missing_image_without_a_registry_points_at_lab_images_load() {
    support::engine();
    let image = format!("labt-doctor-missing-{}:1", std::process::id());
    let c = course(&image, free_port());
    let (all, code) = findings(c.path(), &[]);
    let f = finding(&all, "image", Some(&image));
    // Whether or not a registry answers here, this image is in none of them.
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["text"]
            .as_str()
            .unwrap_or("")
            .contains("is missing and cannot be pulled"),
        "{f}"
    );
    assert!(
        f["fix"].as_str().unwrap_or("").contains("lab images load"),
        "{f}"
    );
    assert_eq!(code, Some(3));
    // The helper image the checks use is there.
    assert_eq!(finding(&all, "image", Some(support::IMAGE))["status"], "ok");
}

#[test]
fn a_port_held_by_another_program_is_found() {
    support::engine();
    let listener = std::net::TcpListener::bind("0.0.0.0:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let c = course(support::IMAGE, port);
    let (all, code) = findings(c.path(), &[]);
    let f = finding(&all, "port", Some(&port.to_string()));
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["text"]
            .as_str()
            .unwrap_or("")
            .contains("taken by a program on this machine"),
        "{f}"
    );
    assert!(
        f["fix"].as_str().unwrap_or("").contains(&port.to_string()),
        "{f}"
    );
    assert_eq!(code, Some(3));
    drop(listener);
}

#[test]
fn a_port_published_by_another_container_names_it() {
    let p = support::Project::new("doctor-port");
    let port = free_port();
    let name = p.run(
        "holder",
        &["-p", &format!("{port}:80"), support::IMAGE, "sleep", "120"],
    );
    let c = course(support::IMAGE, port);
    let (all, code) = findings(c.path(), &[]);
    let f = finding(&all, "port", Some(&port.to_string()));
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["text"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("taken by container {name}")),
        "{f}"
    );
    assert!(
        f["fix"].as_str().unwrap_or("").contains("docker stop"),
        "{f}"
    );
    assert_eq!(code, Some(3));
}
