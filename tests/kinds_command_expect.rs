//! `expect`, `command` and `exec` as students' programs behave: lines that come at once are
//! matched in order, a script that leaves a job in the background is done when its shell
//! is, a container that is not running fails a check that runs something in it, and a
//! number in a matcher is that number in a label. A network's containers are the ones
//! connected to it: a job that ran on it and exited, a service by its container_name.

mod support;

use lab::checks::Status;
use support::checks::{assert_statuses, run_on_engine, test_lab};
use support::{IMAGE, Project};

const STACK: &str = "```yaml stack\nservices:\n  stopped: { image: busybox:1.36 }\n  job: { image: busybox:1.36 }\n  named: { image: busybox:1.36 }\n  loner: { image: busybox:1.36 }\n  again: { image: busybox:1.36 }\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_are_judged_as_they_behave() {
    let p = Project::new("cmdexp");
    let stopped = p.run("stopped", &[IMAGE, "true"]);
    support::docker_ok(&["wait", &stopped]);
    let net = p.network(
        "tagged",
        &["--label", "version=1.0", "--label", "retention-days=30"],
    );
    // An init job that ran on the network and exited; a service under a name of its own
    // (container_name); a container elsewhere.
    let job = p.run("job", &["--network", &net, IMAGE, "true"]);
    support::docker_ok(&["wait", &job]);
    let own = format!("{}-own-name", p.name);
    let project = format!("io.lab.project={}", p.name);
    support::docker_ok(&[
        "run",
        "-d",
        "--name",
        &own,
        "--label",
        &project,
        "--label",
        "io.lab.service=named",
        "--network",
        &net,
        IMAGE,
        "sleep",
        "3600",
    ]);
    p.run("loner", &[IMAGE, "sleep", "3600"]);
    // A job that ran on a network that was then removed and made again under its name.
    let remade = p.network("remade", &[]);
    let again = p.run("again", &["--network", &remade, IMAGE, "true"]);
    support::docker_ok(&["wait", &again]);
    support::docker_ok(&["network", "rm", &remade]);
    p.network("remade", &[]);
    let labels =
        |id: &str, m: &str| format!("id: {id}\ntitle: f\nnetwork: {{ name: {net}, labels: {m} }}");
    let checks = [
        // Three lines at once, then a fourth: each step takes the first match after the
        // last (expectrl's default took the last of all and dropped the others).
        "id: retries-in-order\ntitle: a\nexpect:\n  host: true\n  spawn: \"sh -c 'for i in 1 2 3; do echo connect failed, retrying; done; echo gave up'\"\n  steps:\n    - expect: retrying\n    - expect: retrying\n    - expect: retrying\n    - expect: gave up",
        "id: four-retries\ntitle: b\nexpect:\n  host: true\n  spawn: \"sh -c 'for i in 1 2 3; do echo retrying; done; sleep 5'\"\n  steps:\n    - expect: retrying\n    - expect: retrying\n    - expect: retrying\n    - expect: retrying\n      timeout: 1s",
        // The shell ends at once; its background job holds the pipes for 30 s.
        "id: background-job\ntitle: c\ntimeout: 5s\ncommand: { run: \"sleep 30 & echo started\", stdout: started }",
        "id: exec-stopped\ntitle: d\nexec: { service: stopped, cmd: \"true\" }",
        "id: expect-stopped\ntitle: e\nexpect:\n  service: stopped\n  run: sh\n  steps:\n    - expect: anything",
        &labels("version-1-0", "{ version: 1.0 }"),
        &labels("version-2", "{ version: 2 }"),
        &labels("kept-a-week", "{ retention-days: { gt: 7 } }"),
        &labels("kept-a-year", "{ retention-days: { gt: 365 } }"),
        &format!("id: job-on-it\ntitle: g\nnetwork: {{ name: {net}, containers: [job, named] }}"),
        &format!("id: loner-on-it\ntitle: h\nnetwork: {{ name: {net}, containers: [loner] }}"),
        &format!(
            "id: on-the-old-one\ntitle: i\nnetwork: {{ name: {remade}, containers: [again] }}"
        ),
        // The shell ends; `timeout` runs its sleep in a process group of its own, which
        // holds the pipe: what the shell printed still counts.
        "id: held-pipe\ntitle: j\ntimeout: 5s\ncommand: { run: \"echo ready; timeout 30 sleep 30 &\", stdout: ready }",
        // ... but what it did not print may still have come: a `not` cannot be sure.
        "id: held-pipe-not\ntitle: k\ntimeout: 5s\ncommand: { run: \"echo ready; timeout 30 sleep 30 &\", stdout: { not: oops } }",
        // Its error output was long too; the output, which the check reads, was held.
        "id: held-and-long\ntitle: l\ntimeout: 5s\ncommand: { run: \"head -c 200000 /dev/zero | tr '\\\\0' x >&2; echo ready; timeout 30 sleep 30 &\", stdout: { not: oops } }",
    ];
    let lab = test_lab(STACK, &checks);
    let ws = support::workspace();
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    assert_statuses(
        &results,
        &[
            ("retries-in-order", Status::Pass),
            ("four-retries", Status::Fail),
            ("background-job", Status::Pass),
            ("exec-stopped", Status::Fail),
            ("expect-stopped", Status::Fail),
            ("version-1-0", Status::Pass),
            ("version-2", Status::Fail),
            ("kept-a-week", Status::Pass),
            ("kept-a-year", Status::Fail),
            ("job-on-it", Status::Pass),
            ("loner-on-it", Status::Fail),
            ("on-the-old-one", Status::Fail),
            ("held-pipe", Status::Pass),
            ("held-pipe-not", Status::Error),
            ("held-and-long", Status::Error),
        ],
    );
    // Said as it is: the pipe was held open, not too long.
    for id in ["held-pipe-not", "held-and-long"] {
        let held = results.iter().find(|r| r.id == id);
        let said = held.map(|r| r.message.as_str()).unwrap_or_default();
        assert!(said.contains("still held its output open"), "{id}: {said}");
    }
}
