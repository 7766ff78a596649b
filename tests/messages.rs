//! The words of failures, as snapshots: one vocabulary for every kind, what was expected
//! and what was seen in plain words, which part of an "all of" failed, and never a pattern
//! or an expected answer. Workspace-only kinds run for real (no engine needed); the
//! container kind's comparison is fed an inspect document.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lab::checks::kinds::container::compare::{Scope, compare};
use lab::checks::{RunContext, run_checks};
use lab::course::{LoadOptions, parse_lab};
use lab::model::CheckKind;

fn lab(checks: &str) -> lab::model::Lab {
    let text = format!("---\ntitle: Words\n---\n\n## Task\n\n{checks}");
    parse_lab(
        &text,
        "words",
        Path::new("labs/words/README.md"),
        Path::new("/tmp"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d}\n{text}"))
}

/// Run the lab's checks in a workspace holding `files`; one line per check: status and
/// message.
fn messages(checks: &str, files: &[(&str, &str)]) -> String {
    let lab = lab(checks);
    let ws = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = ws.path().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let mut ctx = RunContext::new(None, "words", ws.path().into(), ws.path().into());
    ctx.default_timeout = Duration::from_secs(5);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let results = rt.block_on(run_checks(Arc::new(ctx), &lab.checks, 4, &|_| {}));
    results
        .iter()
        .map(|r| format!("{} [{}] {}\n", r.id, r.status.as_str(), r.message))
        .collect()
}

fn check(id: &str, body: &str) -> String {
    format!("```yaml check\nid: {id}\ntitle: {id}\n{body}\n```\n\n")
}

#[test]
fn answers_never_show_the_expected_value() {
    let checks = [
        check("wrong", "answer: { key: passphrase, equals: copper-kettle }"),
        check("digest", "answer: { key: code, sha256: d80eae6e96d148b3b2abbbc6760077b66c4ea071f847dab573d507a32c4d99a5 }"),
        check("absent-key", "answer: { key: ip, equals: 10.0.0.2 }"),
        check("right", "answer: { key: pid1, equals: [nc, /bin/nc] }"),
        check("no-file", "answer: { file: notes.md, key: x, equals: y }"),
    ]
    .concat();
    let out = messages(
        &checks,
        &[(
            "answers.md",
            "- passphrase: brass-kettle\n- code: 0\n- pid1: `/bin/nc`\n",
        )],
    );
    assert!(!out.contains("copper"), "{out}");
    assert!(!out.contains("137"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn commands_say_how_they_ended() {
    let checks = [
        check("exit", "command: { run: \"echo 'no such file: app.conf' >&2; exit 3\" }"),
        check("fails", "command: { run: \"true\", exit: { not: 0 } }"),
        check("output", "command: { run: \"printf 'v1\\\\nv2\\\\n'\", stdout: { not: { contains: v1 } } }"),
        check("all-of", "command: { run: \"echo replicas=1\", stdout: { all: [{ contains: replicas= }, { matches: \"replicas=2$\" }] } }"),
        check("pattern", "command: { run: \"echo kernel 6\", stdout: { matches: \"^secret-[0-9]+$\" } }"),
        check("nothing", "command: { run: \"true\", stdout: hello }"),
    ]
    .concat();
    let out = messages(&checks, &[]);
    assert!(!out.contains("secret"), "a pattern is never shown: {out}");
    insta::assert_snapshot!(out);
}

#[test]
fn files_and_dockerfiles_in_plain_words() {
    let checks = [
        check("missing", "file: { path: notes.md }"),
        check(
            "content",
            "file: { path: app.conf, contains: { all: [db_host=db, mode=production] } }",
        ),
        check(
            "pattern",
            "file: { path: app.conf, matches: \"^mode=[a-z]+ion$\" }",
        ),
        check(
            "base",
            "dockerfile: { path: Dockerfile, from: busybox:1.36 }",
        ),
        check(
            "no-command",
            "dockerfile: { path: Dockerfile, default_command: true }",
        ),
    ]
    .concat();
    let out = messages(
        &checks,
        &[
            ("app.conf", "db_host=db\nmode=development\n"),
            ("Dockerfile", "FROM alpine:3.20\nRUN echo hi\n"),
        ],
    );
    assert!(!out.contains("ion$"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn containers_in_plain_words() {
    let lab = lab(&check(
        "api",
        "container:\n  container: w-api\n  state: running\n  health: healthy\n  networks: [default]\n  not_networks: [front]\n  mounts: [{ path: /logs, read_only: true, source: logs }, /data]\n  root: false\n  read_only: true\n  cap_drop: [ALL]\n  mem_limit: 64m\n  stop_signal: QUIT\n  stop_grace_period: 5s\n  log_options: { max-size: 1m }\n  restart_policy: on-failure\n  image: { equals: \"week4-app:v1\" }\n  env: { APP_VERSION: v2 }\n  inspect: [{ path: /HostConfig/ShmSize, equals: 1 }]",
    ));
    let CheckKind::Container(c) = &lab.checks[0].kind else {
        panic!("not a container check");
    };
    let inspect = serde_json::json!({
        "Name": "/w-api",
        "State": { "Status": "exited", "ExitCode": 143 },
        "Config": {
            "Image": "docker.io/library/busybox:1.36",
            "User": "",
            "Env": ["APP_VERSION=v1"],
            "StopSignal": "SIGTERM"
        },
        "HostConfig": {
            "ReadonlyRootfs": false,
            "CapDrop": null,
            "Memory": 134217728,
            "RestartPolicy": { "Name": "no" },
            "LogConfig": { "Type": "json-file", "Config": {} },
            "ShmSize": 67108864
        },
        "NetworkSettings": { "Networks": { "w-front": {} } },
        "Mounts": [{ "Destination": "/logs", "RW": true, "Name": "other", "Source": "/var/lib/docker/volumes/other" }]
    });
    let scope = Scope {
        project: "w",
        networks: &["default".into(), "front".into()],
        volumes: &["logs".into()],
        image_tags: &[],
        workspace: Path::new("/work/ws"),
        lab_dir: Path::new("/course/labs/forms"),
        swap_limit: true,
    };
    let out = compare(c, &inspect, &scope).join("\n");
    insta::assert_snapshot!(out);
}
