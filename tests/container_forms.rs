//! The `container` kind's verdicts on inspect documents as Engine 20.10 gives them (shapes
//! measured with `docker inspect`): forms Docker treats as the same pass, look-alikes that
//! are not the lab's objects fail. No engine needed: `compare` is plain data.

use std::path::Path;

use lab::checks::kinds::container::compare::{Scope, compare};
use lab::course::{LoadOptions, parse_lab};
use lab::model::{CheckKind, ContainerCheck};
use serde_json::{Value, json};

/// A `container` check of `body` (the fields after `container:`).
fn check(body: &str) -> ContainerCheck {
    let text = format!(
        "---\ntitle: Forms\n---\n\n## Task\n\n```yaml check\nid: c\ntitle: c\ncontainer: {body}\n```\n"
    );
    let lab = parse_lab(
        &text,
        "forms",
        Path::new("labs/forms/README.md"),
        Path::new("/tmp"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d}\n{text}"));
    match &lab.checks[0].kind {
        CheckKind::Container(c) => (**c).clone(),
        _ => panic!("not a container check"),
    }
}

/// The problems `body` finds in `inspect`, for a lab whose stack has the network
/// `backend` and the volume `stats` (project `w`), its image also named `tags`.
fn problems_with(body: &str, inspect: &Value, tags: &[&str]) -> Vec<String> {
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    let scope = Scope {
        project: "w",
        networks: &["default".into(), "backend".into()],
        volumes: &["stats".into()],
        image_tags: &tags,
        workspace: Path::new("/work/ws"),
        lab_dir: Path::new("/course/labs/forms"),
        swap_limit: true,
    };
    compare(&check(body), inspect, &scope)
}

fn problems(body: &str, inspect: &Value) -> Vec<String> {
    problems_with(body, inspect, &[])
}

fn volume_at(name: &str, path: &str) -> Value {
    json!({ "Mounts": [{
        "Type": "volume", "Name": name, "Destination": path, "RW": false,
        "Source": format!("/var/lib/docker/volumes/{name}/_data")
    }]})
}

#[test]
fn a_volume_or_network_with_the_stacks_bare_name_is_not_the_labs() {
    // `-v stats:/stats` makes a new, empty volume `stats` beside the lab's `w-stats`.
    let body = "{ container: x, mounts: [{ path: /stats, source: stats }] }";
    assert!(problems(body, &volume_at("w-stats", "/stats")).is_empty());
    let theirs = problems(body, &volume_at("stats", "/stats"));
    assert_eq!(
        theirs,
        [
            "expected the mount at /stats to come from the volume w-stats; it comes from the volume stats"
        ]
    );
    // A volume the stack does not have is the student's own: its bare name is right.
    let own = "{ container: x, mounts: [{ path: /cache, source: cache }] }";
    assert!(problems(own, &volume_at("cache", "/cache")).is_empty());

    let on = |nets: &[&str]| {
        let o: serde_json::Map<String, Value> =
            nets.iter().map(|n| (n.to_string(), json!({}))).collect();
        json!({ "NetworkSettings": { "Networks": o } })
    };
    let body = "{ container: x, networks: [backend] }";
    assert!(problems(body, &on(&["w-backend"])).is_empty());
    assert_eq!(
        problems(body, &on(&["backend"])),
        ["expected it to be on the network w-backend; it is on backend"]
    );
    let not_on = "{ container: x, not_networks: [backend] }";
    assert!(problems(not_on, &on(&["backend"])).is_empty());
    // The full name in the check is that network, and a network of the student's own
    // is found by its name.
    assert!(
        problems(
            "{ container: x, networks: [w-backend] }",
            &on(&["w-backend"])
        )
        .is_empty()
    );
    assert!(problems("{ container: x, networks: [partner] }", &on(&["partner"])).is_empty());
}

#[test]
fn half_a_cpu_is_half_a_cpu_however_it_was_given() {
    let body = "{ container: x, cpus: 0.5 }";
    let host = |h: Value| json!({ "HostConfig": h });
    assert!(problems(body, &host(json!({ "NanoCpus": 500000000 }))).is_empty());
    // `--cpu-quota 50000` alone: the engine reports no period (the kernel's is 100 ms).
    let quota = host(json!({ "NanoCpus": 0, "CpuQuota": 50000, "CpuPeriod": 0 }));
    assert!(problems(body, &quota).is_empty());
    let both = host(json!({ "NanoCpus": 0, "CpuQuota": 25000, "CpuPeriod": 50000 }));
    assert!(problems(body, &both).is_empty());
    let quarter = host(json!({ "NanoCpus": 0, "CpuQuota": 25000, "CpuPeriod": 0 }));
    assert_eq!(
        problems(body, &quarter),
        ["expected a limit of 0.5 CPUs; it has 0.25"]
    );
    let none = host(json!({ "NanoCpus": 0, "CpuQuota": 0, "CpuPeriod": 0 }));
    assert_eq!(
        problems(body, &none),
        ["expected a limit of 0.5 CPUs; it has none"]
    );
}

#[test]
fn a_port_is_published_for_its_protocol() {
    let published = |key: &str| {
        json!({ "NetworkSettings": { "Ports": {
            key: [{ "HostIp": "0.0.0.0", "HostPort": "49153" }]
        }}})
    };
    assert!(problems("{ container: x, ports: [8080] }", &published("8080/tcp")).is_empty());
    assert!(
        problems(
            "{ container: x, ports: [\"8080/tcp\"] }",
            &published("8080/tcp")
        )
        .is_empty()
    );
    assert!(
        problems(
            "{ container: x, ports: [\"53/udp\"] }",
            &published("53/udp")
        )
        .is_empty()
    );
    // `-p 8080:8080/udp` does not publish the TCP port a bare 8080 means, nor the reverse.
    assert_eq!(
        problems("{ container: x, ports: [8080] }", &published("8080/udp")),
        ["expected its port 8080 to be published; it is not"]
    );
    assert_eq!(
        problems(
            "{ container: x, ports: [\"53/udp\"] }",
            &published("53/tcp")
        ),
        ["expected its port 53/udp to be published; it is not"]
    );
}

/// `--memory 64m` alone lets the container swap another 64 MiB (the engine stores memory
/// and swap together as twice the memory); no swap is `--memory-swap` equal to it.
#[test]
fn no_swap_is_memory_and_swap_equal() {
    let body = "{ container: x, mem_limit: 64m, memswap_limit: 64m }";
    let host = |swap: i64| json!({ "HostConfig": { "Memory": 67108864, "MemorySwap": swap } });
    assert!(problems(body, &host(67108864)).is_empty());
    assert_eq!(
        problems(body, &host(134217728)),
        ["expected memory and swap limited to 64 MiB together; it has 128 MiB"]
    );
    assert_eq!(
        problems(body, &host(-1)),
        ["expected memory and swap limited to 64 MiB together; it has no swap limit"]
    );
}

/// No process limit is written -1 or 0, and the engine stores either, or nothing.
#[test]
fn no_process_limit_is_no_process_limit() {
    let body = "{ container: x, pids_limit: -1 }";
    for got in [json!(null), json!(0), json!(-1)] {
        let v = json!({ "HostConfig": { "PidsLimit": got } });
        assert!(problems(body, &v).is_empty(), "{v}");
    }
    let v = json!({ "HostConfig": { "PidsLimit": 64 } });
    assert_eq!(
        problems(body, &v),
        ["expected no limit on processes; it has 64"]
    );
}

/// A container that is not running binds no ports; what it publishes when it runs is in
/// its configuration (`docker create -p 8080 …`, or `-P` for what it exposes).
#[test]
fn a_stopped_container_publishes_what_it_was_given() {
    let body = "{ container: x, ports: [8080] }";
    let stopped = |host: Value| {
        json!({ "State": { "Status": "exited", "Running": false }, "HostConfig": host, "NetworkSettings": { "Ports": {} },
                "Config": { "ExposedPorts": { "8080/tcp": {} } } })
    };
    let given =
        stopped(json!({ "PortBindings": { "8080/tcp": [{ "HostIp": "", "HostPort": "" }] } }));
    assert!(problems(body, &given).is_empty());
    let all = stopped(json!({ "PortBindings": {}, "PublishAllPorts": true }));
    assert!(problems(body, &all).is_empty());
    let none = stopped(json!({ "PortBindings": {}, "PublishAllPorts": false }));
    assert_eq!(
        problems(body, &none),
        ["expected its port 8080 to be published; it is not"]
    );
    // One that runs (or restarts) is judged by what is bound: a crash loop binds nothing.
    let mut looping = given.clone();
    looping["State"] = json!({ "Status": "restarting", "Running": true });
    assert_eq!(
        problems(body, &looping),
        ["expected its port 8080 to be published; it is not"]
    );
    // On no network nothing is published either.
    let mut alone = given.clone();
    alone["HostConfig"]["NetworkMode"] = json!("none");
    assert_eq!(
        problems(body, &alone),
        ["expected its port 8080 to be published; it is not"]
    );
    // On the host's network nothing is published, whatever it was given.
    let host = stopped(json!({ "NetworkMode": "host",
        "PortBindings": { "8080/tcp": [{ "HostIp": "", "HostPort": "8080" }] } }));
    assert_eq!(
        problems(body, &host),
        ["expected its port 8080 to be published; it is not"]
    );
}

#[test]
fn an_image_is_the_same_by_any_of_its_names_in_every_matcher() {
    let runs = |image: &str| json!({ "Config": { "Image": image }, "Image": "sha256:5e1a" });
    let is = "{ container: x, image: busybox:1.36 }";
    assert!(problems(is, &runs("docker.io/library/busybox:1.36")).is_empty());
    // Run by its id: the image those names name.
    assert!(problems_with(is, &runs("5e1a"), &["busybox:1.36"]).is_empty());
    assert!(!problems_with(is, &runs("5e1a"), &["other:1"]).is_empty());
    // `not` and `any` see the same equivalence as a bare `equals`.
    let not = "{ container: x, image: { not: { equals: busybox:1.36 } } }";
    assert!(!problems(not, &runs("busybox:1.36")).is_empty());
    assert!(!problems(not, &runs("docker.io/library/busybox:1.36")).is_empty());
    assert!(problems(not, &runs("busybox:1.37")).is_empty());
    let any = "{ container: x, image: { any: [{ equals: busybox:1.36 }, { equals: alpine:3 }] } }";
    assert!(problems(any, &runs("docker.io/library/busybox:1.36")).is_empty());
    assert!(!problems(any, &runs("busybox:1.35")).is_empty());
    // Run by a name, it is that name: a pinned `app:1.0` is not latest, though its image
    // is also tagged `app:latest`; `app` (no tag) is.
    let pinned = "{ container: x, image: { not: { equals: app:latest } } }";
    let tags = ["app:1.0", "app:latest"];
    assert!(problems_with(pinned, &runs("app:1.0"), &tags).is_empty());
    assert!(!problems_with(pinned, &runs("app"), &tags).is_empty());
    assert!(!problems_with(pinned, &runs("5e1a"), &tags).is_empty());
}

#[test]
fn a_host_folder_is_one_folder_however_it_is_written() {
    let bind = |src: &str| {
        json!({ "Mounts": [{ "Type": "bind", "Source": src,
                             "Destination": "/data", "RW": true }] })
    };
    let c =
        |src: &str| format!("{{ container: x, mounts: [{{ path: /data, source: \"{src}\" }}] }}");
    // `-v "$PWD/data:/data"` in the workspace, or the stack's `./data:/data`.
    assert!(problems(&c("./data"), &bind("/work/ws/data")).is_empty());
    assert!(problems(&c("data/"), &bind("/course/labs/forms/data")).is_empty());
    assert!(problems(&c("/work/ws/data/"), &bind("/work/ws/data")).is_empty());
    // `..` as written, as the client cleans `-v "$PWD/../ws/data:/data"`.
    assert!(problems(&c("../ws/data"), &bind("/work/ws/data")).is_empty());
    assert!(!problems(&c("../data"), &bind("/work/ws/data")).is_empty());
    assert!(!problems(&c("./data"), &bind("/work/ws/other")).is_empty());
    assert!(!problems(&c("./data"), &volume_at("data", "/data")).is_empty());
    assert_eq!(
        problems(&c("./data"), &bind("/work/ws/other")),
        [
            "expected the mount at /data to come from ./data; it comes from the host folder /work/ws/other"
        ]
    );
}

#[test]
fn a_tmpfs_path_is_one_path_with_or_without_its_slash() {
    // `--tmpfs /tmp/` keeps the slash in HostConfig.Tmpfs; `Mounts` would list `/tmp`.
    let v = json!({ "HostConfig": { "Tmpfs": { "/tmp/": "" } }, "Mounts": [] });
    assert!(problems("{ container: x, mounts: [/tmp] }", &v).is_empty());
    assert!(
        problems(
            "{ container: x, mounts: [{ path: /tmp/, type: tmpfs }] }",
            &v
        )
        .is_empty()
    );
    assert!(!problems("{ container: x, mounts: [/data] }", &v).is_empty());
}

#[test]
fn inspect_settings_compare_text_exactly_and_sizes_in_any_unit() {
    let v = json!({
        "Config": { "WorkingDir": "/SRV", "User": "nobody" },
        "HostConfig": { "ShmSize": 67108864, "Memory": 134217728 }
    });
    let at = |path: &str, want: &str| {
        problems(
            &format!("{{ container: x, inspect: [{{ path: {path}, equals: \"{want}\" }}] }}"),
            &v,
        )
        .is_empty()
    };
    assert!(!at("/Config/WorkingDir", "/srv"));
    assert!(at("/Config/WorkingDir", "/SRV"));
    assert!(!at("/Config/User", "NOBODY"));
    assert!(at("/HostConfig/ShmSize", "64m"));
    assert!(at("/HostConfig/Memory", "128m"));
    assert!(!at("/HostConfig/Memory", "64m"));
}

/// `no-new-privileges` is on with any value the engine reads as true (Go's ParseBool).
#[test]
fn no_new_privileges_is_on_however_true_is_written() {
    let body = "{ container: x, security_opt: [no-new-privileges] }";
    let opts = |o: &str| json!({ "HostConfig": { "SecurityOpt": [o] } });
    for on in [
        "no-new-privileges",
        "no-new-privileges:true",
        "no-new-privileges=True",
        "no-new-privileges:1",
    ] {
        assert!(problems(body, &opts(on)).is_empty(), "{on}");
    }
    assert_eq!(problems(body, &opts("no-new-privileges:false")).len(), 1);
}
