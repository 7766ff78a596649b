//! `container`, `image` and `tcp` checks on settings Docker takes in several forms: a user
//! given as nothing, `0` or `root`; capabilities dropped with `ALL`; the default stop grace
//! period; a stopped container that nothing can connect to; an image by the name it was
//! run by; a host folder however the check writes it; a port published on IPv6 only.

mod support;

use lab::checks::Status;
use lab::model::Lab;
use support::checks::{assert_statuses, run_on_engine};
use support::{IMAGE, Project};

const STACK: &str = "```yaml stack\nservices:\n  greeter: { image: busybox:1.36 }\n  plain: { image: busybox:1.36 }\n  app: { image: busybox:1.36 }\n  locked: { image: busybox:1.36 }\n  stopped: { image: busybox:1.36 }\n  hostnet: { image: busybox:1.36 }\n  pinned: { image: busybox:1.36 }\n  floating: { image: busybox:1.36 }\n  bound: { image: busybox:1.36 }\n  v6any: { image: busybox:1.36 }\n  v6lo: { image: busybox:1.36 }\n  v4lo: { image: busybox:1.36 }\n  owner: { image: busybox:1.36 }\n  sidecar: { image: busybox:1.36 }\n```\n";

fn lab(checks: &[impl AsRef<str>]) -> Lab {
    support::checks::test_lab(STACK, checks)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_judged_in_every_form_docker_takes() {
    let p = Project::new("forms");
    p.run("plain", &[IMAGE, "sleep", "3600"]);
    p.run("app", &["--user", "1000:1000", IMAGE, "sleep", "3600"]);
    p.run(
        "locked",
        &[
            "--cap-drop",
            "ALL",
            "--cap-add",
            "NET_BIND_SERVICE",
            IMAGE,
            "sleep",
            "3600",
        ],
    );
    let stopped = p.run("stopped", &[IMAGE, "httpd", "-f", "-p", "80"]);
    let out = std::process::Command::new("docker")
        .args(["stop", "-t", "0", &stopped])
        .output()
        .expect("docker stop");
    assert!(out.status.success(), "docker stop: {}", support::said(&out));
    // On the host's network a container has no address of its own, and its port is open.
    let port = (41000 + std::process::id() % 2000).to_string();
    p.run(
        "hostnet",
        &["--network", "host", IMAGE, "httpd", "-f", "-p", &port],
    );
    let ws = support::workspace();
    let checks: Vec<String> = [
        // No user set is root, by any name.
        "id: plain-root\ntitle: a\ncontainer: { service: plain, user: root }",
        "id: plain-uid-0\ntitle: b\ncontainer: { service: plain, user: \"0\" }",
        "id: plain-not-root\ntitle: c\ncontainer: { service: plain, user: { not: { equals: root } } }",
        "id: image-not-root\ntitle: d\nimage: { name: \"busybox:1.36\", user: { not: { equals: root } } }",
        // A user with its group is that user.
        "id: app-uid\ntitle: e\ncontainer: { service: app, user: \"1000\" }",
        "id: app-not-root\ntitle: f\ncontainer: { service: app, user: { not: { equals: root } } }",
        // ALL drops every capability but those added back.
        "id: drops-net-raw\ntitle: g\ncontainer: { service: locked, cap_drop: [NET_RAW] }",
        "id: drops-all\ntitle: h\ncontainer: { service: locked, cap_drop: [ALL] }",
        "id: keeps-bind\ntitle: i\ncontainer: { service: locked, cap_add: [NET_BIND_SERVICE] }",
        "id: drops-bind\ntitle: j\ncontainer: { service: locked, cap_drop: [NET_BIND_SERVICE] }",
        "id: plain-drops\ntitle: k\ncontainer: { service: plain, cap_drop: [NET_RAW] }",
        // Nothing set is the engine's 10 s.
        "id: grace-default\ntitle: l\ncontainer: { service: plain, stop_grace_period: 10s }",
        "id: grace-other\ntitle: m\ncontainer: { service: plain, stop_grace_period: 5s }",
        // A stopped container has no address: nothing connects to it.
        "id: stopped-closed\ntitle: n\ntcp: { service: stopped, port: 80, open: false }",
        "id: stopped-open\ntitle: o\ntcp: { service: stopped, port: 80 }",
    ]
    .into_iter()
    .map(String::from)
    .chain([
        format!(
            "id: hostnet-closed\ntitle: p\ntcp: {{ service: hostnet, port: {port}, open: false }}"
        ),
        format!("id: hostnet-open\ntitle: q\neventually: 5s\ntcp: {{ service: hostnet, port: {port} }}"),
    ])
    .collect();
    let lab = lab(&checks);
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    assert_statuses(
        &results,
        &[
            ("plain-root", Status::Pass),
            ("plain-uid-0", Status::Pass),
            ("plain-not-root", Status::Fail),
            ("image-not-root", Status::Fail),
            ("app-uid", Status::Pass),
            ("app-not-root", Status::Pass),
            ("drops-net-raw", Status::Pass),
            ("drops-all", Status::Pass),
            ("keeps-bind", Status::Pass),
            ("drops-bind", Status::Fail),
            ("plain-drops", Status::Fail),
            ("grace-default", Status::Pass),
            ("grace-other", Status::Fail),
            ("stopped-closed", Status::Pass),
            ("stopped-open", Status::Fail),
            ("hostnet-closed", Status::Fail),
            ("hostnet-open", Status::Pass),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_is_the_name_it_was_run_by_and_a_folder_is_one_folder() {
    let p = Project::new("named");
    let (pinned, latest) = (
        format!("{}-app:1.0", p.name),
        format!("{}-app:latest", p.name),
    );
    let _tags = support::Images(vec![pinned.clone(), latest.clone()]);
    for tag in [&pinned, &latest] {
        support::docker_ok(&["tag", IMAGE, tag]);
    }
    // One image, two tags: the student pinned 1.0; the other took the default, latest.
    p.run("pinned", &[&pinned, "sleep", "3600"]);
    p.run("floating", &[&format!("{}-app", p.name), "sleep", "3600"]);
    // `docker run -v "$PWD/data:/data"` in the workspace.
    let ws = support::workspace();
    std::fs::create_dir(ws.path().join("data")).expect("mkdir");
    let bind = format!("{}/./data/:/data", ws.path().display());
    p.run("bound", &["-v", &bind, IMAGE, "sleep", "3600"]);
    let not_latest = format!("{{ not: {{ equals: \"{latest}\" }} }}");
    let checks = [
        format!("id: pinned-not-latest\ntitle: a\ncontainer: {{ service: pinned, image: {not_latest} }}"),
        format!("id: floating-not-latest\ntitle: b\ncontainer: {{ service: floating, image: {not_latest} }}"),
        format!("id: pinned-is-pinned\ntitle: c\ncontainer: {{ service: pinned, image: \"{pinned}\" }}"),
        "id: bound-here\ntitle: d\ncontainer: { service: bound, mounts: [{ path: /data, source: ./data }] }".into(),
        "id: bound-elsewhere\ntitle: e\ncontainer: { service: bound, mounts: [{ path: /data, source: ./other }] }".into(),
        "id: bound-volume\ntitle: f\ncontainer: { service: bound, mounts: [{ path: /data, source: data }] }".into(),
    ];
    let lab = lab(&checks);
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    assert_statuses(
        &results,
        &[
            ("pinned-not-latest", Status::Pass),
            ("floating-not-latest", Status::Fail),
            ("pinned-is-pinned", Status::Pass),
            ("bound-here", Status::Pass),
            ("bound-elsewhere", Status::Fail),
            ("bound-volume", Status::Fail),
        ],
    );
}

/// `-p [::]:8080:80` publishes on IPv6 only: the engine's proxy takes no IPv4 there, so a
/// probe of 127.0.0.1 finds nothing listening. The host is reached at the address the
/// binding names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_published_on_ipv6_only_is_reached_there() {
    let p = Project::new("ipv6");
    let serve = [
        IMAGE,
        "sh",
        "-c",
        "mkdir /srv && echo served > /srv/index.html && httpd -f -p 80 -h /srv",
    ];
    // A sidecar serves in the network of its owner, which publishes the port.
    let owner = p.run("owner", &["-p", "80", IMAGE, "sleep", "3600"]);
    let shared = format!("container:{owner}");
    let mut sidecar = vec!["--network", shared.as_str()];
    sidecar.extend(serve);
    p.run("sidecar", &sidecar);
    for (service, publish) in [
        ("v6any", "[::]::80"),
        ("v6lo", "[::1]::80"),
        ("v4lo", "127.0.0.1::80"),
    ] {
        let mut args = vec!["-p", publish];
        args.extend(serve);
        p.run(service, &args);
    }
    let mut checks = Vec::new();
    for s in ["v6any", "v6lo", "v4lo"] {
        checks.push(format!(
            "id: {s}-http\ntitle: a\neventually: 5s\nhttp: {{ service: {s}, port: 80, body: served }}"
        ));
        checks.push(format!(
            "id: {s}-open\ntitle: b\neventually: 5s\ntcp: {{ service: {s}, port: 80 }}"
        ));
        checks.push(format!(
            "id: {s}-closed\ntitle: c\ntcp: {{ service: {s}, port: 80, open: false }}"
        ));
    }
    checks.push("id: sidecar-http\ntitle: d\neventually: 5s\nhttp: { service: sidecar, port: 80, body: served }".into());
    let lab = lab(&checks);
    let ws = support::workspace();
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    let mut want = Vec::new();
    for s in ["v6any", "v6lo", "v4lo"] {
        want.push((format!("{s}-http"), Status::Pass));
        want.push((format!("{s}-open"), Status::Pass));
        want.push((format!("{s}-closed"), Status::Fail));
    }
    want.push(("sidecar-http".to_string(), Status::Pass));
    assert_statuses(&results, &want);
}

/// `default_command: true` of a container whose image was removed since (`docker rmi -f`
/// untags an image only a stopped container uses): the image's own command cannot be
/// told, so neither can whether it ran it. An error, not a pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_default_command_whose_image_is_gone_cannot_be_told() {
    // Declared first, dropped last: the untagged image goes after the container using it.
    let mut gone = support::Images(Vec::new());
    let p = Project::new("goneimage");
    let tag = format!("{}-img:1", p.name);
    let id = support::build(
        &tag,
        &format!("FROM busybox:1.36\nLABEL test={}\nCMD [\"true\"]\n", p.name),
    );
    gone.0.push(id.clone());
    gone.0.push(tag.clone());
    // The student's own command, then the image removed by force.
    let ran = p.run("greeter", &[&tag, "echo", "hello"]);
    support::docker_ok(&["wait", &ran]);
    support::docker_ok(&["rmi", "-f", &tag]);
    let ws = support::workspace();
    let lab =
        lab(&["id: own-command\ntitle: a\ncontainer: { service: greeter, default_command: true }"]);
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    assert_statuses(&results, &[("own-command", Status::Error)]);
    assert!(
        results[0].message.contains("is gone"),
        "{}",
        results[0].message
    );
}

/// A container's own health test runs as the engine runs it: a shell line under the
/// container's shell (an image's `SHELL` does not reach it: Engine 20.10 runs it with
/// `/bin/sh -c` and calls it healthy), within the test's own timeout (a test slower than
/// that fails there, however long the check would wait).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_test_runs_as_the_engine_runs_it() {
    let p = Project::new("healthas");
    let tag = format!("{}-img:1", p.name);
    let _image = support::Images(vec![tag.clone()]);
    support::build(
        &tag,
        &format!(
            "FROM busybox:1.36\nLABEL test={}\nSHELL [\"/bin/sh\", \"-ec\"]\n",
            p.name
        ),
    );
    let hour = ["--health-interval", "1h"];
    // Under the image's `sh -ec` the line would stop at `false`; under `sh -c` it ends well.
    let mut strict = vec!["--health-cmd", "false; true"];
    strict.extend(hour);
    strict.extend([tag.as_str(), "sleep", "3600"]);
    p.run("strict", &strict);
    let mut slow = vec!["--health-cmd", "sleep 3", "--health-timeout", "1s"];
    slow.extend(hour);
    slow.extend([IMAGE, "sleep", "3600"]);
    p.run("slow", &slow);
    let ws = support::workspace();
    let lab = support::checks::test_lab(
        "```yaml stack\nservices:\n  strict: { image: busybox:1.36 }\n  slow: { image: busybox:1.36 }\n```\n",
        &[
            "id: strict-fails\ntitle: a\ncontainer: { service: strict, health_test: fails }",
            "id: slow-fails\ntitle: b\ncontainer: { service: slow, health_test: fails }",
            "id: slow-passes\ntitle: c\ncontainer: { service: slow, health_test: passes }",
        ],
    );
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    assert_statuses(
        &results,
        &[
            ("strict-fails", Status::Fail),
            ("slow-fails", Status::Pass),
            ("slow-passes", Status::Fail),
        ],
    );
}
