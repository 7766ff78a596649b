//! Provisioning on the real engine: every stack field arrives, dependency order and
//! conditions hold, a second start keeps what runs, a change recreates, failures roll back,
//! and only what carries lab's labels is ever removed.

mod support;

use std::process::Command;

use lab::engine::{EngineError, stop_project};
use serde_json::Value;
use support::Project;
use support::stacks::{id_of, inspect, lab_in, up};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stack_field_arrives() {
    let p = Project::new("fields");
    let dir = support::workspace();
    std::fs::create_dir_all(dir.path().join("conf")).expect("mkdir");
    std::fs::write(
        dir.path().join("conf/app.env"),
        "# comment\nFROM_FILE=yes\n",
    )
    .expect("write");
    std::fs::create_dir_all(dir.path().join("img")).expect("mkdir");
    std::fs::write(
        dir.path().join("img/Dockerfile"),
        "FROM busybox:1.36\nARG GREETING\nRUN echo \"$GREETING\" > /greeting\n",
    )
    .expect("write");
    let lab = lab_in(
        dir.path(),
        "services:
  app:
    build: { context: img, args: { GREETING: built-hello } }
    command: [\"sleep\", \"3600\"]
    entrypoint: [\"/bin/sh\", \"-c\", \"exec \\\"$@\\\"\", \"sh\"]
    environment: { MODE: test, EMPTY: \"\" }
    env_file: conf/app.env
    ports: [\"8080\", \"127.0.0.1::9090/udp\"]
    expose: [\"7000\"]
    networks:
      back: { aliases: [application] }
      front: {}
    volumes: [\"data:/data\", \"./conf:/conf:ro\", { type: tmpfs, target: /scratch, tmpfs: { size: 1m } }, \"/anon\"]
    healthcheck: { test: [\"CMD\", \"true\"], interval: 2s, timeout: 3s, retries: 4, start_period: 5s }
    restart: on-failure:3
    labels: { tier: back }
    user: \"65534:65534\"
    working_dir: /data
    read_only: true
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    security_opt: [\"no-new-privileges:true\"]
    mem_limit: 64m
    memswap_limit: 128m
    cpus: 0.5
    pids_limit: 50
    init: true
    stop_signal: SIGINT
    stop_grace_period: 3s
    logging: { driver: json-file, options: { max-size: 1m } }
    tty: true
    stdin_open: true
    container_name: FIELDS_NAME
    hostname: apphost
    extra_hosts: [\"metrics.local:10.0.0.5\"]
networks:
  back: { internal: true, labels: { zone: b } }
  front: {}
volumes:
  data: { labels: { keep: \"yes\" } }
"
        .replace("FIELDS_NAME", &format!("{}-custom", p.name))
        .as_str(),
    );
    up(&p, &lab).await.expect("start");
    let c = inspect(&format!("{}-custom", p.name));
    let cfg = &c["Config"];
    let host = &c["HostConfig"];
    assert_eq!(cfg["Cmd"], serde_json::json!(["sleep", "3600"]));
    assert_eq!(cfg["Entrypoint"][0], "/bin/sh");
    let env: Vec<String> = serde_json::from_value(cfg["Env"].clone()).expect("env");
    for want in ["MODE=test", "EMPTY=", "FROM_FILE=yes"] {
        assert!(env.iter().any(|e| e == want), "{want} not in {env:?}");
    }
    assert_eq!(cfg["Labels"]["tier"], "back");
    assert_eq!(cfg["Labels"]["io.lab.project"], p.name.as_str());
    assert_eq!(cfg["Labels"]["io.lab.service"], "app");
    assert_eq!(cfg["Labels"]["io.lab.lab"], "enginelab");
    assert_eq!(cfg["Labels"]["io.lab.course"], "test-course");
    assert!(cfg["Labels"]["io.lab.config-hash"].is_string());
    assert_eq!(cfg["User"], "65534:65534");
    assert_eq!(cfg["WorkingDir"], "/data");
    assert_eq!(cfg["Tty"], true);
    assert_eq!(cfg["OpenStdin"], true);
    assert_eq!(cfg["StopSignal"], "SIGINT");
    assert_eq!(cfg["StopTimeout"], 3);
    assert_eq!(cfg["Hostname"], "apphost");
    assert!(cfg["ExposedPorts"].get("7000/tcp").is_some());
    assert_eq!(
        cfg["Healthcheck"]["Test"],
        serde_json::json!(["CMD", "true"])
    );
    assert_eq!(cfg["Healthcheck"]["Interval"], 2_000_000_000i64);
    assert_eq!(cfg["Healthcheck"]["Timeout"], 3_000_000_000i64);
    assert_eq!(cfg["Healthcheck"]["Retries"], 4);
    assert_eq!(cfg["Healthcheck"]["StartPeriod"], 5_000_000_000i64);
    assert!(cfg["Volumes"].get("/anon").is_some());
    assert!(
        cfg["Image"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{}-app:lab", p.name))
    );
    assert_eq!(host["RestartPolicy"]["Name"], "on-failure");
    assert_eq!(host["RestartPolicy"]["MaximumRetryCount"], 3);
    assert_eq!(host["ReadonlyRootfs"], true);
    assert_eq!(host["CapAdd"], serde_json::json!(["NET_ADMIN"]));
    assert_eq!(host["CapDrop"], serde_json::json!(["ALL"]));
    assert_eq!(
        host["SecurityOpt"],
        serde_json::json!(["no-new-privileges:true"])
    );
    assert_eq!(host["Memory"], 64 * 1024 * 1024);
    assert_eq!(host["MemorySwap"], 128 * 1024 * 1024);
    assert_eq!(host["NanoCpus"], 500_000_000i64);
    assert_eq!(host["PidsLimit"], 50);
    assert_eq!(host["Init"], true);
    assert_eq!(host["LogConfig"]["Type"], "json-file");
    assert_eq!(host["LogConfig"]["Config"]["max-size"], "1m");
    assert_eq!(
        host["ExtraHosts"],
        serde_json::json!(["metrics.local:10.0.0.5"])
    );
    assert_eq!(host["Tmpfs"]["/scratch"], "size=1048576");
    let binds: Vec<String> = serde_json::from_value(host["Binds"].clone()).expect("binds");
    assert!(
        binds.contains(&format!("{}-data:/data", p.name)),
        "{binds:?}"
    );
    assert!(
        binds.iter().any(|b| b.ends_with("/conf:/conf:ro")),
        "{binds:?}"
    );
    assert_eq!(host["PortBindings"]["8080/tcp"][0]["HostPort"], "");
    assert_eq!(host["PortBindings"]["9090/udp"][0]["HostIp"], "127.0.0.1");
    let nets = &c["NetworkSettings"]["Networks"];
    let back = &nets[format!("{}-back", p.name)];
    let aliases: Vec<String> = serde_json::from_value(back["Aliases"].clone()).expect("aliases");
    assert!(
        aliases.contains(&"app".into()) && aliases.contains(&"application".into()),
        "{aliases:?}"
    );
    assert!(
        nets.get(format!("{}-front", p.name)).is_some(),
        "second network connected after create"
    );
    // The build used the lab's context and its args.
    let greeting = Command::new("docker")
        .args(["exec", &format!("{}-custom", p.name), "cat", "/greeting"])
        .output()
        .expect("exec");
    assert_eq!(
        String::from_utf8_lossy(&greeting.stdout).trim(),
        "built-hello"
    );
    let net = Command::new("docker")
        .args([
            "network",
            "inspect",
            &format!("{}-back", p.name),
            "--format",
            "{{.Internal}} {{index .Labels \"zone\"}}",
        ])
        .output()
        .expect("inspect");
    assert_eq!(String::from_utf8_lossy(&net.stdout).trim(), "true b");
}

const CHAIN: &str = "services:
  db:
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"sleep 1; touch /tmp/up; exec nc -ll -p 5432 -e cat\"]
    healthcheck: { test: [\"CMD-SHELL\", \"test -f /tmp/up && echo | nc -w 1 127.0.0.1 5432\"], interval: 500ms, retries: 40 }
  migrate:
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"echo | nc -w 1 db 5432 && echo migrated\"]
    depends_on: { db: { condition: service_healthy } }
  app:
    image: busybox:1.36
    command: [\"sleep\", \"3600\"]
    depends_on: { migrate: { condition: service_completed_successfully } }
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependencies_start_in_order_and_conditions_hold() {
    let p = Project::new("order");
    let dir = support::workspace();
    let applied = up(&p, &lab_in(dir.path(), CHAIN)).await.expect("start");
    assert_eq!(applied.created.len(), 3);
    let db = inspect(&format!("{}-db", p.name));
    let migrate = inspect(&format!("{}-migrate", p.name));
    let app = inspect(&format!("{}-app", p.name));
    assert_eq!(db["State"]["Health"]["Status"], "healthy");
    assert_eq!(migrate["State"]["ExitCode"], 0);
    // migrate started after db was healthy; app after migrate finished.
    let t = |v: &Value, k: &str| v["State"][k].as_str().unwrap_or_default().to_string();
    assert!(t(&migrate, "StartedAt") > t(&db, "StartedAt"));
    assert!(
        t(&app, "StartedAt") >= t(&migrate, "FinishedAt"),
        "app {} migrate finished {}",
        t(&app, "StartedAt"),
        t(&migrate, "FinishedAt")
    );
    let logs = Command::new("docker")
        .args(["logs", &format!("{}-migrate", p.name)])
        .output()
        .expect("logs");
    assert!(String::from_utf8_lossy(&logs.stdout).contains("migrated"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_keeps_what_runs_and_a_change_recreates() {
    let p = Project::new("idem");
    let dir = support::workspace();
    let stack = "services:\n  a: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n  b: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n";
    up(&p, &lab_in(dir.path(), stack))
        .await
        .expect("first start");
    let (a1, b1) = (
        id_of(&format!("{}-a", p.name)),
        id_of(&format!("{}-b", p.name)),
    );
    let again = up(&p, &lab_in(dir.path(), stack))
        .await
        .expect("second start");
    assert_eq!(again.kept.len(), 2, "{again:?}");
    assert_eq!(
        (
            id_of(&format!("{}-a", p.name)),
            id_of(&format!("{}-b", p.name))
        ),
        (a1.clone(), b1.clone())
    );
    let changed = stack.replace(
        "b: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }",
        "b: { image: busybox:1.36, command: [\"sleep\", \"3601\"] }",
    );
    let third = up(&p, &lab_in(dir.path(), &changed))
        .await
        .expect("third start");
    assert_eq!(
        (third.kept.clone(), third.recreated.clone()),
        (vec!["a".to_string()], vec!["b".to_string()])
    );
    assert_eq!(id_of(&format!("{}-a", p.name)), a1);
    assert_ne!(id_of(&format!("{}-b", p.name)), b1);
    // A stopped container is started again, not recreated.
    Command::new("docker")
        .args(["stop", "-t", "0", &format!("{}-a", p.name)])
        .output()
        .expect("stop");
    let fourth = up(&p, &lab_in(dir.path(), &changed))
        .await
        .expect("fourth start");
    assert_eq!(fourth.started, vec!["a".to_string()]);
    assert_eq!(id_of(&format!("{}-a", p.name)), a1);
}

async fn assert_rolls_back(test: &str, stack: &str, check: impl Fn(&EngineError) -> bool) {
    let p = Project::new(test);
    let dir = support::workspace();
    let err = up(&p, &lab_in(dir.path(), stack))
        .await
        .expect_err("start must fail");
    assert!(check(&err), "unexpected error: {err}");
    assert!(
        p.leftovers().is_empty(),
        "left behind after rollback: {:?}",
        p.leftovers()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_healthcheck_rolls_back() {
    assert_rolls_back(
        "unhealthy",
        "services:\n  db:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    healthcheck: { test: [\"CMD\", \"false\"], interval: 200ms, retries: 2 }\n  app:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    depends_on: { db: { condition: service_healthy } }\nvolumes:\n  data: {}\n",
        |e| matches!(e, EngineError::NotReady { service, details, .. } if service == "db" && details.contains("last health checks")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_one_shot_rolls_back() {
    assert_rolls_back(
        "oneshot",
        "services:\n  migrate:\n    image: busybox:1.36\n    command: [\"sh\", \"-c\", \"echo cannot reach the database; exit 3\"]\n  app:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    depends_on: { migrate: { condition: service_completed_successfully } }\n",
        |e| matches!(e, EngineError::NotReady { service, state, details, .. } if service == "migrate" && state.contains("exited with code 3") && details.contains("cannot reach the database")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_rolls_back() {
    // Something on this machine holds the port (here: the test itself).
    let listener = std::net::TcpListener::bind("0.0.0.0:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    assert_rolls_back(
        "port",
        &format!("services:\n  web:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    ports: [\"{port}:80\"]\n"),
        |e| matches!(e, EngineError::PortTaken { port: p, .. } if *p == port.to_string()),
    )
    .await;
    drop(listener);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_image_rolls_back() {
    assert_rolls_back(
        "image",
        "services:\n  ok:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n  bad:\n    image: lab-test-no-such-image:0.0\nnetworks:\n  n: {}\n",
        |e| matches!(e, EngineError::ImageUnavailable { image, .. } if image == "lab-test-no-such-image:0.0"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_build_says_why() {
    let p = Project::new("build");
    let dir = support::workspace();
    std::fs::create_dir_all(dir.path().join("img")).expect("mkdir");
    std::fs::write(
        dir.path().join("img/Dockerfile"),
        "FROM busybox:1.36\nRUN echo build-step-fails && exit 7\n",
    )
    .expect("write");
    let err = up(
        &p,
        &lab_in(dir.path(), "services:\n  app:\n    build: img\n"),
    )
    .await
    .expect_err("build fails");
    assert!(
        matches!(&err, EngineError::Build { output, .. } if output.contains("build-step-fails")),
        "{err}"
    );
    assert_eq!(err.exit_code(), 3);
    assert!(p.leftovers().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_removes_only_labelled_resources() {
    let p = Project::new("stop");
    let dir = support::workspace();
    up(&p, &lab_in(dir.path(), "services:\n  web: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\nvolumes:\n  data: {}\n")).await.expect("start");
    // A student's own container, on the lab's network, with no labels.
    let mine = format!("{}-students-own", p.name);
    let out = Command::new("docker")
        .args([
            "run",
            "-d",
            "--name",
            &mine,
            "--network",
            &format!("{}-default", p.name),
            support::IMAGE,
            "sleep",
            "3600",
        ])
        .output()
        .expect("docker run");
    assert!(out.status.success());
    let docker = lab::engine::connect().await.expect("engine");
    let t = stop_project(&docker, &p.name, false).await;
    let survived = Command::new("docker")
        .args(["inspect", "-f", "{{.State.Running}}", &mine])
        .output()
        .expect("inspect");
    let _ = Command::new("docker").args(["rm", "-f", &mine]).output();
    assert_eq!(
        String::from_utf8_lossy(&survived.stdout).trim(),
        "true",
        "the student's container must survive"
    );
    assert_eq!(t.disconnected, vec![mine.clone()]);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    // The named volume is kept without --volumes, removed with it.
    assert_eq!(p.leftovers().len(), 1, "{:?}", p.leftovers());
    let t = stop_project(&docker, &p.name, true).await;
    assert!(t.removed.contains(&format!("{}-data", p.name)));
    assert!(p.leftovers().is_empty());
}
