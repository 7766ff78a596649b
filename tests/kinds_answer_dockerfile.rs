//! The `answer` and `dockerfile` kinds against a real engine and a real workspace: answers
//! taken from a container's inspect output (an id by prefix, an IP through a `*` pointer)
//! and from the engine's own info; Dockerfiles read by what they mean.

mod support;

use std::path::Path;
use std::process::Command;

use lab::checks::{CheckResult, Status};
use lab::model::Lab;
use support::checks::{run_lab_checks, run_on_engine};
use support::{IMAGE, Project};

const STACK: &str = "```yaml stack\nservices:\n  mystery: { image: busybox:1.36 }\n  ghost: { image: busybox:1.36 }\n```\n";

fn lab(checks: &[String]) -> Lab {
    support::checks::test_lab(STACK, checks)
}

async fn grade(p: &Project, lab: &Lab, workspace: &Path) -> Vec<CheckResult> {
    run_on_engine(&p.name, lab, workspace).await
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn result<'r>(results: &'r [CheckResult], id: &str) -> &'r CheckResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

fn assert_status(results: &[CheckResult], id: &str, want: Status) {
    let r = result(results, id);
    assert_eq!(
        r.status, want,
        "{id}: {} (evidence: {})",
        r.message, r.evidence
    );
}

/// The service `mystery` on a network of its own, and what the engine says of it.
struct Mystery {
    name: String,
    id: String,
    ip: String,
    kernel: String,
}

fn mystery(p: &Project) -> Mystery {
    let net = p.network("net", &[]);
    let name = p.run("mystery", &["--network", &net, IMAGE, "sleep", "300"]);
    let id = docker(&["inspect", "--format", "{{.Id}}", &name]);
    let ip = docker(&[
        "inspect",
        "--format",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &name,
    ]);
    let kernel = docker(&["info", "--format", "{{.KernelVersion}}"]);
    assert!(
        !ip.is_empty() && !kernel.is_empty(),
        "ip {ip:?} kernel {kernel:?}"
    );
    Mystery {
        name,
        id,
        ip,
        kernel,
    }
}

const GREETER: &str = "# syntax=docker/dockerfile:1\nARG BASE=docker.io/library/busybox:1.36\nFROM ${BASE} AS base\nLABEL maintainer=\"ada@example.org\"\nEXPOSE 8080/tcp\nhealthcheck --interval=5s \\\n  CMD wget -q -O- localhost:8080 || exit 1\n\nFROM base\nUSER 65534\ncmd [\"echo\", \"Greetings\"]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_from_the_live_engine_and_dockerfiles_by_meaning() {
    let p = Project::new("answers");
    let m = mystery(&p);
    let ws = support::workspace();
    let answers = format!(
        "# Answers\r\n\r\n1. **Mystery id:** `{}`\r\n2. mystery-ip: \"{}\"\r\n* kernel: `{}`\r\n- Passphrase: ‘Copper-Kettle’\r\n- exit-code: 137 (SIGKILL)\r\n- version: v1.36\r\n\r\n```\r\nfull-id: {}\r\n```\r\n",
        &m.id[..12],
        m.ip,
        m.kernel,
        m.id
    );
    std::fs::write(ws.path().join("answers.md"), answers).expect("write answers");
    std::fs::create_dir_all(ws.path().join("greeter")).expect("mkdir");
    std::fs::write(ws.path().join("greeter/Dockerfile"), GREETER).expect("write Dockerfile");

    let kettle = "eb9a1813b62bfca6f65bbd78676b4ed8a7204a6530482645c18a10d63e025bb2";
    let checks = vec![
        format!(
            "id: id-by-name\ntitle: id\nanswer: {{ key: mystery id, inspect: {{ container: {}, path: /Id, prefix: 12 }} }}",
            m.name
        ),
        "id: full-id\ntitle: the full id counts too\nanswer: { key: full-id, inspect: { service: mystery, path: /Id, prefix: 12 } }".into(),
        "id: ip\ntitle: ip\nanswer: { key: mystery-ip, inspect: { service: mystery, path: \"/NetworkSettings/Networks/*/IPAddress\" } }".into(),
        "id: kernel\ntitle: kernel\nanswer: { key: kernel, inspect: { engine: true, path: /KernelVersion } }".into(),
        "id: pass\ntitle: passphrase\nanswer: { key: passphrase, equals: [brass-kettle, copper-kettle] }".into(),
        format!("id: pass-sha\ntitle: passphrase by digest\nanswer: {{ key: passphrase, sha256: {kettle} }}"),
        "id: exit\ntitle: exit code\nanswer: { key: exit-code, equals: 137.0 }".into(),
        "id: version\ntitle: version\nanswer: { key: version, matches: \"^V1\\\\.[0-9]+$\" }".into(),
        "id: greeter\ntitle: greeter\ndockerfile: { path: greeter/Dockerfile, from: busybox:1.36, default_command: true, command: { contains: Greetings }, expose: [8080], user: { not: { equals: root } }, healthcheck: true, labels: { maintainer: \"@\" } }".into(),
    ];
    let results = grade(&p, &lab(&checks), ws.path()).await;
    for r in &results {
        assert_status(&results, &r.id, Status::Pass);
    }
    let ip = result(&results, "ip");
    assert!(ip.evidence.contains("answers.md:4:"), "{}", ip.evidence);
    let greeter = result(&results, "greeter");
    assert!(
        greeter.evidence.contains("cmd [\"echo\", \"Greetings\"]")
            && greeter
                .evidence
                .contains("builds on docker.io/library/busybox:1.36"),
        "{}",
        greeter.evidence
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_answers_fail_and_say_what_was_written_not_what_is_right() {
    let p = Project::new("wrong");
    let m = mystery(&p);
    let ws = support::workspace();
    // The id is right but too short; the IP is another one; the kernel is made up.
    let answers = format!(
        "id: {}\nip: 10.255.255.254\nkernel: 0.0.1-fake\npassphrase: brass-kettle\npassphrase: copper-kettle\nempty:\n",
        &m.id[..8]
    );
    std::fs::write(ws.path().join("answers.md"), answers).expect("write answers");
    std::fs::write(
        ws.path().join("Dockerfile"),
        "FROM alpine:3.20\nCMD [\"sh\"]\n",
    )
    .expect("write");
    std::fs::write(
        ws.path().join("Broken.Dockerfile"),
        "FROM busybox:1.36\nFROBNICATE now\n",
    )
    .expect("write");
    let checks = vec![
        "id: id\ntitle: id\neventually: 3s\nanswer: { key: id, inspect: { service: mystery, path: /Id, prefix: 12 } }".into(),
        "id: ip\ntitle: ip\nanswer: { key: ip, inspect: { service: mystery, path: \"/NetworkSettings/Networks/*/IPAddress\" } }".into(),
        "id: kernel\ntitle: kernel\nanswer: { key: kernel, inspect: { engine: true, path: /KernelVersion } }".into(),
        "id: pass\ntitle: first occurrence counts\nanswer: { key: passphrase, equals: copper-kettle }".into(),
        "id: no-key\ntitle: no such line\neventually: 5s\nanswer: { key: favourite-colour, equals: blue }".into(),
        "id: empty\ntitle: a line without a value\nanswer: { key: empty, equals: x }".into(),
        "id: no-file\ntitle: no answers file\neventually: 5s\nanswer: { file: notes.md, key: id, equals: x }".into(),
        "id: no-container\ntitle: a container by name that is not there\neventually: 5s\nanswer: { key: id, inspect: { container: labt-no-such-container, path: /Id } }".into(),
        "id: base\ntitle: base image\ndockerfile: { path: Dockerfile, from: busybox:1.36, default_command: true }".into(),
        "id: no-dockerfile\ntitle: no Dockerfile\neventually: 5s\ndockerfile: { path: greeter/Dockerfile, from: busybox:1.36 }".into(),
        "id: broken\ntitle: unreadable Dockerfile\ndockerfile: { path: Broken.Dockerfile, from: busybox:1.36 }".into(),
    ];
    let results = grade(&p, &lab(&checks), ws.path()).await;
    for r in &results {
        assert_status(&results, &r.id, Status::Fail);
    }
    let msg = |id: &str| result(&results, id).message.clone();
    let id = msg("id");
    assert!(
        id.contains(&format!("answers.md says id is \"{}\"", &m.id[..8]))
            && id.contains("at least 12 characters")
            && !id.contains(&m.id[..12]),
        "{id}"
    );
    let ip = msg("ip");
    assert!(
        ip.contains("\"10.255.255.254\"") && !ip.contains(&m.ip),
        "{ip}"
    );
    let kernel = msg("kernel");
    assert!(
        kernel.contains("0.0.1-fake") && !kernel.contains(&m.kernel),
        "{kernel}"
    );
    let pass = msg("pass");
    assert!(
        pass.contains("\"brass-kettle\"; that is not right")
            && pass.contains("line 5 gives passphrase again, but the first one counts"),
        "{pass}"
    );
    assert!(!pass.contains("copper-kettle\";"), "{pass}");
    assert_eq!(
        result(&results, "pass").evidence,
        "answers.md:4: passphrase: brass-kettle"
    );
    assert!(msg("no-key").contains("answers.md has no line for favourite-colour"));
    assert!(msg("empty").contains("no value after the colon"));
    assert_eq!(result(&results, "empty").evidence, "answers.md:6: empty:");
    assert!(msg("no-file").contains("there is no notes.md in your workspace"));
    assert!(msg("no-container").contains("there is no container labt-no-such-container"));
    assert_eq!(
        msg("base"),
        "Dockerfile builds on alpine:3.20; the task asks for busybox:1.36"
    );
    assert!(msg("no-dockerfile").contains("there is no greeter/Dockerfile"));
    let broken = msg("broken");
    assert!(
        broken.contains("Broken.Dockerfile is not a Dockerfile Docker can read")
            && broken.contains("line 2"),
        "{broken}"
    );
    // What the student has not made yet fails at once: `eventually` does not wait on it.
    for id in ["no-key", "no-file", "no-container", "no-dockerfile"] {
        assert_eq!(result(&results, id).attempts, 1, "{id} was retried");
    }
    // A wrong value may still change (a container restarting): it is retried.
    assert!(result(&results, "id").attempts > 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_service_or_engine_is_an_error() {
    let p = Project::new("answer-error");
    let ws = support::workspace();
    std::fs::write(ws.path().join("answers.md"), "id: abc\nkernel: 6.1\n").expect("write");
    let l = lab(&[
        "id: ghost\ntitle: ghost\nanswer: { key: id, inspect: { service: ghost, path: /Id } }"
            .into(),
        "id: field\ntitle: a field the container does not have\nanswer: { key: kernel, inspect: { engine: true, path: /NoSuchField } }".into(),
    ]);
    let results = grade(&p, &l, ws.path()).await;
    assert_status(&results, "ghost", Status::Error);
    assert!(
        result(&results, "ghost")
            .message
            .contains("the lab's service ghost has no container"),
        "{}",
        result(&results, "ghost").message
    );
    assert_status(&results, "field", Status::Error);

    // No engine at all: inspect answers cannot be graded; fixed answers still can.
    let l = lab(&[
        "id: kernel\ntitle: kernel\nanswer: { key: kernel, inspect: { engine: true, path: /KernelVersion } }".into(),
        "id: fixed\ntitle: fixed\nanswer: { key: kernel, equals: \"6.10\" }".into(),
    ]);
    let results = run_lab_checks(None, &p.name, &l, ws.path()).await;
    assert_status(&results, "kernel", Status::Error);
    assert_status(&results, "fixed", Status::Pass);
}
