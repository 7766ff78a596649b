//! Every check kind passing, failing and erroring against real containers; actions,
//! `eventually`, expect sessions in a container and on the host, hostile containers.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lab::checks::{CheckResult, RunContext, Status, run_checks};
use lab::course::{LoadOptions, parse_lab};
use lab::model::Lab;
use support::checks::{assert_statuses, statuses};
use support::{IMAGE, Project};

const STACK: &str = "```yaml stack\nservices:\n  web: { image: busybox:1.36 }\n  db: { image: busybox:1.36 }\n  ghost: { image: busybox:1.36 }\n  app: { image: busybox:1.36 }\n  noisy: { image: busybox:1.36 }\nnetworks:\n  net: {}\nvolumes:\n  data: {}\n```\n";

/// A lab from check blocks written in the lab format (the stack only names the services).
fn lab(checks: &[&str]) -> Lab {
    support::checks::test_lab(STACK, checks)
}

async fn grade(p: &Project, lab: &Lab, workspace: &Path) -> Vec<CheckResult> {
    let engine = lab::engine::connect().await.expect("engine");
    let mut ctx = RunContext::new(
        Some(engine),
        &p.name,
        workspace.to_path_buf(),
        workspace.to_path_buf(),
    );
    ctx.default_timeout = Duration::from_secs(8);
    ctx.helper_image = IMAGE.into();
    // The stack's names, as `lab check` gives them.
    if let Some(stack) = &lab.stack {
        ctx.networks
            .extend(stack.networks.iter().map(|n| n.name.clone()));
        ctx.volumes = stack.volumes.iter().map(|v| v.name.clone()).collect();
    }
    run_checks(Arc::new(ctx), &lab.checks, 8, &|_| {}).await
}

fn assert_all(results: &[CheckResult], want: Status) {
    let wrong: Vec<String> = results
        .iter()
        .filter(|r| r.status != want)
        .map(|r| format!("{} → {:?}: {}\n{}", r.id, r.status, r.message, r.evidence))
        .collect();
    assert!(
        wrong.is_empty(),
        "expected every check to {want:?}, these did not:\n{}",
        wrong.join("\n---\n")
    );
}

/// web (httpd on 8080, published), db (echo server on 5432, says "ready"), a network and
/// a volume; and a workspace with an answers file and an automation script.
fn web_and_db(p: &Project) -> tempfile::TempDir {
    let net = p.network("net", &[]);
    p.volume("data");
    p.run(
        "web",
        &[
            "--network",
            &net,
            "--network-alias",
            "web",
            "-p",
            "8080",
            "-e",
            "GREETING=hi",
            IMAGE,
            "sh",
            "-c",
            "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www",
        ],
    );
    p.run(
        "db",
        &[
            "--network",
            &net,
            "--network-alias",
            "db",
            "-e",
            "DB_HOST=db",
            IMAGE,
            "sh",
            "-c",
            "echo ready; exec nc -ll -p 5432 -e cat",
        ],
    );
    let ws = support::workspace();
    std::fs::write(
        ws.path().join("answers.txt"),
        "created running paused exited\n",
    )
    .expect("write");
    let script = ws.path().join("automate.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho ready\nread line\necho \"pong $line\"\n",
    )
    .expect("write");
    // Windows has no executable bit (and runs it with sh).
    #[cfg(unix)]
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    ws
}

const PASSING: &[&str] = &[
    "id: exec-ok\ntitle: exec\nexec: { service: web, cmd: \"echo $GREETING\", stdout: hi }",
    "id: http-host\ntitle: http from the host\neventually: 5s\nhttp: { service: web, port: 8080, body: hello }",
    "id: http-from\ntitle: http from db\neventually: 5s\nhttp: { service: web, port: 8080, from: db, body: hello, header: { Content-Type: html } }",
    "id: tcp-from\ntitle: tcp from web\neventually: 5s\ntcp: { host: db, port: 5432, from: web }",
    "id: tcp-closed\ntitle: nothing on 5433\ntcp: { host: db, port: 5433, from: web, open: false }",
    "id: tcp-host\ntitle: tcp from the host\neventually: 5s\ntcp: { service: web, port: 8080 }",
    "id: dns-ok\ntitle: web resolves\ndns: { name: web, from: db, address: { matches: \"^[0-9.]+$\" } }",
    "id: dns-missing\ntitle: ghost does not resolve\ndns: { name: nosuchhost, from: db, resolves: false }",
    "id: container-ok\ntitle: web runs\ncontainer: { service: web, state: running, env: { GREETING: hi }, networks: [net], ports: [8080], image: busybox, restart_policy: \"no\", read_only: false }",
    "id: network-ok\ntitle: the network\nnetwork: { name: net, containers: [web, db], internal: false }",
    "id: volume-ok\ntitle: the volume\nvolume: { name: data, driver: local }",
    "id: image-ok\ntitle: the image\nimage: { name: \"busybox:1.36\", healthcheck: false }",
    "id: logs-ok\ntitle: db logged\neventually: 3s\nlogs: { service: db, contains: ready, stream: stdout }",
    "id: file-ws\ntitle: answers\nfile: { path: answers.txt, contains: paused, matches: \"(?m)^created\" }",
    "id: file-ct\ntitle: index\nfile: { service: web, path: /www/index.html, contains: hello }",
    "id: file-gone\ntitle: no secrets\nfile: { service: web, path: /etc/secret, exists: false }",
    "id: command-ok\ntitle: command\ncommand: { run: \"cat answers.txt\", stdout: paused, exit: 0 }",
    "id: expect-ct\ntitle: session in db\nexpect:\n  service: db\n  steps:\n    - send: \"echo DB=$DB_HOST\\n\"\n    - expect: \"DB=db\"\n    - send: \"exit\\n\"\n    - expect_eof: true",
    "id: expect-host\ntitle: automation script\nexpect:\n  host: true\n  spawn: ./automate.sh\n  steps:\n    - expect: ready\n    - send: \"ping\\n\"\n    - expect: \"pong ping\"\n    - expect_eof: true",
];

const FAILING: &[&str] = &[
    "id: exec-no\ntitle: exec\nexec: { service: web, cmd: \"echo $GREETING\", stdout: bye }",
    "id: exec-exit\ntitle: exec exit\nexec: { service: web, cmd: \"exit 3\" }",
    "id: http-status\ntitle: http 404\nhttp: { service: web, port: 8080, path: /missing, status: 200 }",
    "id: http-body\ntitle: http body\neventually: 2s\nhttp: { service: web, port: 8080, from: db, body: goodbye }",
    "id: tcp-from-no\ntitle: tcp\ntcp: { host: db, port: 5433, from: web }",
    "id: tcp-open\ntitle: tcp should be closed\neventually: 3s\ntcp: { host: db, port: 5432, from: web, open: false }",
    "id: dns-no\ntitle: dns\ndns: { name: nosuchhost, from: db }",
    "id: container-no\ntitle: container\ncontainer: { service: web, state: exited, health: healthy, user: nobody, read_only: true, cap_drop: [ALL], mem_limit: 64m, pids_limit: 10 }",
    "id: network-no\ntitle: network\nnetwork: { name: nonet }",
    "id: volume-no\ntitle: volume\nvolume: { name: data, exists: false }",
    "id: image-no\ntitle: image\nimage: { name: \"nosuchimage:9\" }",
    "id: logs-no\ntitle: logs\nlogs: { service: db, contains: migrated }",
    "id: file-ws-no\ntitle: file\nfile: { path: missing.txt }",
    "id: file-ct-no\ntitle: file in container\nfile: { service: web, path: /www/index.html, contains: goodbye }",
    "id: command-no\ntitle: command\ncommand: { run: \"false\" }",
    "id: expect-no\ntitle: expect times out\nexpect:\n  service: db\n  steps:\n    - send: \"echo DB=$DB_HOST\\n\"\n    - expect: \"NEVER-APPEARS\"\n      timeout: 1s",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_passes() {
    let p = Project::new("pass");
    let ws = web_and_db(&p);
    let results = grade(&p, &lab(PASSING), ws.path()).await;
    assert_eq!(results.len(), PASSING.len());
    assert_all(&results, Status::Pass);
    let expect = results
        .iter()
        .find(|r| r.id == "expect-ct")
        .expect("expect-ct");
    assert!(
        expect.evidence.contains("DB=db"),
        "transcript is the evidence: {}",
        expect.evidence
    );
    assert!(!expect.evidence.contains('\x1b'), "ANSI is stripped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_fails() {
    let p = Project::new("fail");
    let ws = web_and_db(&p);
    let results = grade(&p, &lab(FAILING), ws.path()).await;
    assert_all(&results, Status::Fail);
    let msg = |id: &str| {
        results
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.message.clone())
            .unwrap_or_default()
    };
    assert!(
        msg("exec-exit").contains("expected the command to exit with 0; it exited with 3"),
        "{}",
        msg("exec-exit")
    );
    assert!(
        msg("http-status").contains("answered 404"),
        "{}",
        msg("http-status")
    );
    let container = msg("container-no");
    for part in [
        "expected it to be exited; it is running",
        "expected it to report healthy; it has no health check",
        "expected a read-only root filesystem; it is writable",
        "capability ALL to be dropped",
        "memory limit",
        "processes",
    ] {
        assert!(container.contains(part), "missing {part:?} in {container}");
    }
    let timeout = results
        .iter()
        .find(|r| r.id == "expect-no")
        .expect("expect-no");
    assert!(
        timeout.message.contains("waited 1s for \"NEVER-APPEARS\""),
        "{}",
        timeout.message
    );
    assert!(
        timeout.evidence.contains("DB=db"),
        "the transcript shows what came: {}",
        timeout.evidence
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_that_cannot_run_are_errors() {
    let p = Project::new("error");
    let ws = support::workspace();
    let results = grade(
        &p,
        &lab(&[
            "id: no-container\ntitle: ghost runs\ncontainer: { service: ghost, state: running }",
            "id: no-named\ntitle: named\ncontainer: { container: labt-no-such-container, state: running }",
            "id: exec-ghost\ntitle: exec\nexec: { service: ghost, cmd: \"true\" }",
            "id: dns-ghost\ntitle: dns\ndns: { name: web, from: ghost }",
            "id: action-ghost\ntitle: action\nbefore: [{ restart: ghost }]\ncommand: { run: \"true\" }",
        ]),
        ws.path(),
    )
    .await;
    // A container the student is to create that does not exist is a fail, at once
    // (LAB_FORMAT §4.4); the rest could not look.
    assert_eq!(results[1].status, Status::Fail, "{}", results[1].message);
    assert_eq!(results[1].attempts, 1);
    let mut others = results.clone();
    others.remove(1);
    assert_all(&others, Status::Error);
    assert!(
        results[0]
            .message
            .contains("the lab's service ghost has no container"),
        "{}",
        results[0].message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_is_a_crash_and_the_restart_policy_brings_it_back() {
    let p = Project::new("kill");
    p.run("app", &["--restart", "always", IMAGE, "sleep", "3600"]);
    let ws = support::workspace();
    let results = grade(
        &p,
        &lab(&["id: app-restarts\ntitle: app comes back\nbefore: [{ kill: { service: app, signal: SIGKILL } }]\neventually: 15s\ncontainer:\n  service: app\n  state: running\n  inspect: [{ path: /RestartCount, gt: 0 }]"]),
        ws.path(),
    )
    .await;
    assert_all(&results, Status::Pass);
    // The helper that sent the signal is gone.
    let helpers = std::process::Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            "label=io.lab.helper",
            "--filter",
            &format!("label=io.lab.project={}", p.name),
        ])
        .output()
        .expect("docker ps");
    assert!(helpers.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventually_retries_until_it_passes() {
    let p = Project::new("eventually");
    p.run(
        "app",
        &[IMAGE, "sh", "-c", "sleep 2; touch /tmp/ready; sleep 3600"],
    );
    let ws = support::workspace();
    let without = grade(
        &p,
        &lab(&["id: ready-now\ntitle: ready\nfile: { service: app, path: /tmp/ready }"]),
        ws.path(),
    )
    .await;
    assert_eq!(statuses(&without), vec![("ready-now".into(), Status::Fail)]);
    let with = grade(&p, &lab(&["id: ready-later\ntitle: ready\neventually: 10s\nfile: { service: app, path: /tmp/ready }"]), ws.path()).await;
    assert_eq!(with[0].status, Status::Pass, "{}", with[0].message);
    assert!(with[0].attempts > 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_containers_cannot_hold_the_grader() {
    let p = Project::new("hostile");
    // 100 MB of output, then quiet.
    p.run(
        "noisy",
        &[
            IMAGE,
            "sh",
            "-c",
            "head -c 100000000 /dev/zero | tr '\\0' 'x'; sleep 3600",
        ],
    );
    // Binary garbage on stdout forever; never answers on its port.
    p.run(
        "app",
        &[
            "-p",
            "9000",
            IMAGE,
            "sh",
            "-c",
            "nc -ll -p 9000 -e sleep 3600 & while true; do head -c 4096 /dev/urandom; done",
        ],
    );
    let ws = support::workspace();
    let start = Instant::now();
    let results = grade(
        &p,
        &lab(&[
            "id: flood-exec\ntitle: exec that prints forever\ntimeout: 3s\nexec: { service: app, cmd: \"cat /dev/urandom\", stdout: never }",
            "id: flood-logs\ntitle: 100 MB of logs\ntimeout: 5s\nlogs: { service: noisy, contains: never }",
            "id: silent-http\ntitle: never answers\ntimeout: 2s\nhttp: { service: app, port: 9000 }",
            "id: garbage-logs\ntitle: binary logs\ntimeout: 3s\nlogs: { service: app, contains: never, tail: 50 }",
            "id: forever-command\ntitle: host command that never ends\ntimeout: 2s\ncommand: { run: \"yes\" }",
        ]),
        ws.path(),
    )
    .await;
    // Each ends within its timeout (plus grace); they run side by side.
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    for r in &results {
        assert_ne!(r.status, Status::Pass, "{}", r.id);
        assert!(
            r.evidence.len() <= 4200,
            "{}: evidence of {} bytes",
            r.id,
            r.evidence.len()
        );
        assert!(
            r.message.len() < 1000,
            "{}: message of {} bytes",
            r.id,
            r.message.len()
        );
        assert!(
            !r.evidence.contains('\x1b') && !r.evidence.contains('\0'),
            "{}: raw control bytes in evidence",
            r.id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_keep_lab_order_and_actions_run_alone() {
    let p = Project::new("order");
    p.run("app", &[IMAGE, "sleep", "3600"]);
    let ws = support::workspace();
    let ids = ["a-first", "b-acts", "c-third", "d-fourth"];
    let results = grade(
        &p,
        &lab(&[
            "id: a-first\ntitle: a\ncommand: { run: \"sleep 0.3\" }",
            "id: b-acts\ntitle: b\nbefore: [{ sleep: 100ms }, { exec: { service: app, cmd: \"touch /tmp/x\" } }]\nfile: { service: app, path: /tmp/x }",
            "id: c-third\ntitle: c\ncommand: { run: \"true\" }",
            "id: d-fourth\ntitle: d\ncontainer: { service: app, state: running }",
        ]),
        ws.path(),
    )
    .await;
    let got: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(got, ids);
    assert_all(&results, Status::Pass);
}

/// A chain of needs is blocked to its end, each link "blocked by" the check that failed,
/// also when nothing else is left to run (it was once reported as a circle).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_of_needs_is_blocked_to_its_end() {
    let ws = support::workspace();
    let mut ctx = RunContext::new(
        None,
        "chain",
        ws.path().to_path_buf(),
        ws.path().to_path_buf(),
    );
    ctx.default_timeout = Duration::from_secs(8);
    let l = lab(&[
        "id: a\ntitle: a\nfile: { path: missing.txt }",
        "id: b\ntitle: b\nneeds: [a]\nfile: { path: missing.txt }",
        "id: c\ntitle: c\nneeds: [b]\nfile: { path: missing.txt }",
        "id: d\ntitle: d\nneeds: [c, a]\nfile: { path: missing.txt }",
    ]);
    let results = run_checks(Arc::new(ctx), &l.checks, 8, &|_| {}).await;
    assert_eq!(
        statuses(&results),
        vec![
            ("a".to_string(), Status::Fail),
            ("b".to_string(), Status::Blocked),
            ("c".to_string(), Status::Blocked),
            ("d".to_string(), Status::Blocked),
        ]
    );
    for r in &results[1..] {
        assert!(
            r.message.starts_with("blocked by a "),
            "{}: {}",
            r.id,
            r.message
        );
    }
}

/// A command that prints more than a check keeps is still read to its end: its exit code is
/// part of the verdict (it was once `none`, which `exit: {not: 0}` took for a failure).
/// Likewise a health test whose output is long. What was cut cannot decide a verdict; the
/// stream that was not cut still does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_output_keeps_its_exit_code() {
    let p = Project::new("longout");
    p.run(
        "app",
        &[
            "--health-cmd",
            "head -c 200000 /dev/zero | tr '\\0' x",
            "--health-interval",
            "1h",
            IMAGE,
            "sleep",
            "3600",
        ],
    );
    let ws = support::workspace();
    let big = "head -c 200000 /dev/zero | tr '\\\\0' x";
    let results = grade(
        &p,
        &lab(&[
            &format!("id: exit-0\ntitle: a\nexec: {{ service: app, cmd: \"{big}\" }}"),
            &format!(
                "id: exit-3\ntitle: b\nexec: {{ service: app, cmd: \"{big}; exit 3\", exit: 3 }}"
            ),
            &format!(
                "id: not-0\ntitle: c\nexec: {{ service: app, cmd: \"{big}\", exit: {{ not: 0 }} }}"
            ),
            "id: health-passes\ntitle: d\ncontainer: { service: app, health_test: passes }",
            "id: health-fails\ntitle: e\ncontainer: { service: app, health_test: fails }",
            // What was cut cannot decide a "not", nor a miss; a match in what was kept can.
            &format!("id: cut-not\ntitle: f\ncommand: {{ run: \"{big}; echo END\", stdout: {{ not: {{ contains: END }} }} }}"),
            &format!("id: cut-miss\ntitle: g\nexec: {{ service: app, cmd: \"{big}; echo END\", stdout: END }}"),
            &format!("id: cut-found\ntitle: h\ncommand: {{ run: \"echo START; {big}\", stdout: START }}"),
            // Only stdout was cut: stderr, read whole, decides (a miss there is a miss).
            &format!("id: other-miss\ntitle: i\nexec: {{ service: app, cmd: \"{big}; echo oops >&2\", stderr: {{ contains: done }} }}"),
            &format!("id: other-miss-host\ntitle: j\ncommand: {{ run: \"{big}; echo oops >&2\", stderr: {{ contains: done }} }}"),
            &format!("id: other-not\ntitle: k\nexec: {{ service: app, cmd: \"{big}; echo oops >&2\", stderr: {{ not: {{ contains: done }} }} }}"),
        ]),
        ws.path(),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("exit-0", Status::Pass),
            ("exit-3", Status::Pass),
            ("not-0", Status::Fail),
            ("health-passes", Status::Pass),
            ("health-fails", Status::Fail),
            ("cut-not", Status::Error),
            ("cut-miss", Status::Error),
            ("cut-found", Status::Pass),
            ("other-miss", Status::Fail),
            ("other-miss-host", Status::Fail),
            ("other-not", Status::Pass),
        ],
    );
    let cut = results.iter().find(|r| r.id == "cut-not");
    let said = cut.map(|r| r.message.as_str()).unwrap_or_default();
    assert!(said.contains("printed more than a check reads"), "{said}");
}

/// "Not open from the host" of a service is about its published port: one that listens but
/// publishes nothing passes (a Linux host would reach it over the bridge all the same).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_not_published_is_not_open_from_the_host() {
    let p = Project::new("unpublished");
    let listen = ["sh", "-c", "nc -ll -p 9000 -e cat"];
    p.run("app", &[&[IMAGE][..], &listen[..]].concat());
    let web = p.run("web", &[&["-p", "9000", IMAGE][..], &listen[..]].concat());
    // web listens before it is judged closed (else "closed" would pass by timing).
    let listening =
        support::exec_succeeds_soon(&web, &["sh", "-c", "netstat -ltn | grep -q ':9000 '"]);
    assert!(listening, "web never listened on 9000");
    let ws = support::workspace();
    let results = grade(
        &p,
        &lab(&[
            "id: app-closed\ntitle: a\ntcp: { service: app, port: 9000, open: false }",
            "id: web-closed\ntitle: b\ntcp: { service: web, port: 9000, open: false }",
            "id: web-open\ntitle: c\neventually: 5s\ntcp: { service: web, port: 9000 }",
        ]),
        ws.path(),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("app-closed", Status::Pass),
            ("web-closed", Status::Fail),
            ("web-open", Status::Pass),
        ],
    );
}

/// A program a `before:` action started may still be making what the check looks for:
/// `eventually` waits for it, though a missing file otherwise ends the wait at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventually_waits_for_what_a_before_program_makes() {
    let p = Project::new("latecomer");
    p.run("app", &[IMAGE, "sleep", "3600"]);
    let ws = support::workspace();
    let check = "id: late\ntitle: late\neventually: 15s\nbefore: [{ exec: { service: app, cmd: \"(sleep 1; touch /tmp/made) >/dev/null 2>&1 &\" } }]\nfile: { service: app, path: /tmp/made }";
    let results = grade(&p, &lab(&[check]), ws.path()).await;
    assert_eq!(
        results[0].status,
        Status::Pass,
        "{}: {}",
        results[0].message,
        results[0].evidence
    );
    assert!(results[0].attempts > 1);
}

/// A `volume` or `network` check names the stack's own by its bare name: a student's
/// object that only has that name is another one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_name_is_the_stacks_own_object() {
    let p = Project::new("barename");
    // Names of this test only (a bare name is global on the engine).
    let (vol, net) = (format!("v{}", &p.name[5..]), format!("n{}", &p.name[5..]));
    let text = format!(
        "---\ntitle: Bare\ntimeout: 8s\n---\n\n```yaml stack\nservices:\n  app: {{ image: {IMAGE} }}\nnetworks:\n  {net}: {{}}\nvolumes:\n  {vol}: {{}}\n```\n\n## Task\n\n```yaml check\nid: vol\ntitle: v\nvolume: {{ name: {vol} }}\n```\n\n```yaml check\nid: net\ntitle: n\nnetwork: {{ name: {net} }}\n```\n"
    );
    let lab = parse_lab(
        &text,
        "testlab",
        Path::new("labs/testlab/README.md"),
        Path::new("/tmp"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d}\n{text}"));
    let label = format!("io.lab.project={}", p.name);
    for args in [
        vec!["volume", "create", "--label", &label, &vol],
        vec!["network", "create", "--label", &label, &net],
    ] {
        let ok = std::process::Command::new("docker").args(&args).output();
        assert!(ok.is_ok_and(|o| o.status.success()), "{args:?}");
    }
    let ws = support::workspace();
    let theirs = grade(&p, &lab, ws.path()).await;
    assert_statuses(&theirs, &[("vol", Status::Fail), ("net", Status::Fail)]);
    p.volume(&vol);
    p.network(&net, &[]);
    let ours = grade(&p, &lab, ws.path()).await;
    assert_all(&ours, Status::Pass);
}
