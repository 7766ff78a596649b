//! Provisioning on the real engine, interrupted: Ctrl-C and cancellation at any moment
//! leave nothing behind, healthy dependents start early, and what students made is kept.

mod support;

use std::process::Command;

use lab::engine::{ApplyOptions, apply, new_run_id, plan, rollback, stop_project};
use serde_json::Value;
use support::Project;
use support::stacks::{inspect, lab_in, up};

#[test]
#[cfg(unix)] // SIGINT: Windows has no such signal to send a child.
fn sigint_during_start_leaves_nothing() {
    let p = Project::new("sigint");
    let dir = support::workspace();
    std::fs::create_dir_all(dir.path().join("labs/slow")).expect("mkdir");
    std::fs::write(
        dir.path().join("labs/course.yaml"),
        "format_version: 1\ntitle: T\nlabs: [slow]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("labs/slow/README.md"),
        "---\ntitle: Slow\n---\n```yaml stack\nservices:\n  db:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    healthcheck: { test: [\"CMD\", \"false\"], interval: 30s }\n  app:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    depends_on: { db: { condition: service_healthy } }\nnetworks:\n  n: {}\nvolumes:\n  v: {}\n```\n",
    )
    .expect("write");
    let child = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["start", "slow", "--project", &p.name])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn lab");
    // Wait until the db container exists (the start is waiting on its health), then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        let out = Command::new("docker")
            .args(["ps", "-q", "--filter", &format!("name={}-db", p.name)])
            .output()
            .expect("ps");
        if !out.stdout.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        !p.leftovers().is_empty(),
        "the start should have created something by now"
    );
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(p.leftovers().is_empty(), "left behind: {:?}", p.leftovers());
}

/// The engine's first health probe comes one `interval` after start; a dependent need not
/// wait for it when the health test already passes. `lab start` still returns only once
/// the engine itself says healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_dependents_start_before_the_engines_first_probe() {
    let p = Project::new("probe");
    let dir = support::workspace();
    let stack = "services:\n  db:\n    image: busybox:1.36\n    command: [\"nc\", \"-ll\", \"-p\", \"5432\", \"-e\", \"cat\"]\n    healthcheck: { test: [\"CMD-SHELL\", \"echo | nc -w 1 127.0.0.1 5432\"], interval: 3s, retries: 5 }\n  app:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    depends_on: { db: { condition: service_healthy } }\n";
    let began = std::time::Instant::now();
    up(&p, &lab_in(dir.path(), stack)).await.expect("start");
    let took = began.elapsed();
    let db = inspect(&format!("{}-db", p.name));
    let app = inspect(&format!("{}-app", p.name));
    assert_eq!(
        db["State"]["Health"]["Status"], "healthy",
        "confirmed by the engine"
    );
    assert!(
        took >= std::time::Duration::from_secs(3),
        "returned before the engine's verdict: {took:?}"
    );
    let at = |v: &Value| {
        v["State"]["StartedAt"]
            .as_str()
            .and_then(|t| t.get(11..23))
            .and_then(|hms| {
                let secs: f64 = hms[6..].parse().ok()?;
                let min: f64 = hms[3..5].parse().ok()?;
                let h: f64 = hms[..2].parse().ok()?;
                Some(h * 3600.0 + min * 60.0 + secs)
            })
            .expect("StartedAt")
    };
    let gap = at(&app) - at(&db);
    assert!(
        (0.0..2.5).contains(&gap),
        "app started {gap:.2}s after db: it waited for the engine's first probe (3 s)"
    );
}

/// Cancelling a start (what Ctrl-C does) at the library level: the caller drops `apply`
/// and rolls back its run; nothing labelled with the project is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_apply_rolls_back_everything_it_made() {
    let p = Project::new("cancel");
    let dir = support::workspace();
    let stack = "services:\n  db:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    healthcheck: { test: [\"CMD\", \"false\"], interval: 30s }\n  app:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n    depends_on: { db: { condition: service_healthy } }\nnetworks:\n  n: {}\nvolumes:\n  v: {}\n";
    let lab = lab_in(dir.path(), stack);
    let docker = lab::engine::connect().await.expect("engine");
    let plan = plan(&lab, "test-course", &p.name).expect("plan");
    let run = new_run_id();
    let db = format!("{}-db", p.name);
    let cancel = async {
        // Cancel once db runs: the start is then waiting on its health.
        loop {
            if inspect_running(&db) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let opts = ApplyOptions::default();
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        tokio::select! {
            r = apply(&docker, &plan, &opts, &run) => Some(r),
            _ = cancel => None,
        }
    })
    .await
    .expect("the start neither finished nor reached db");
    assert!(
        outcome.is_none(),
        "the start should still be waiting: {outcome:?}"
    );
    assert!(
        !p.leftovers().is_empty(),
        "something was made before the cancel"
    );
    let removed = rollback(&docker, &p.name, &run).await;
    assert!(removed.contains(&db), "{removed:?}");
    assert!(p.leftovers().is_empty(), "left behind: {:?}", p.leftovers());
}

fn inspect_running(name: &str) -> bool {
    Command::new("docker")
        .args(["inspect", "-f", "{{.State.Running}}", name])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
        .unwrap_or(false)
}

/// A container of the lab that is still attached when its network goes is the lab's own,
/// not the student's: it is not reported as "disconnected and kept".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_students_containers_are_reported_as_kept() {
    let p = Project::new("kept");
    let dir = support::workspace();
    up(
        &p,
        &lab_in(
            dir.path(),
            "services:\n  a: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n  b: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n",
        ),
    )
    .await
    .expect("start");
    let docker = lab::engine::connect().await.expect("engine");
    let t = stop_project(&docker, &p.name, true).await;
    assert!(t.disconnected.is_empty(), "{:?}", t.disconnected);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    for name in ["a", "b", "default"] {
        assert!(
            t.removed.contains(&format!("{}-{name}", p.name)),
            "{:?}",
            t.removed
        );
    }
    assert!(p.leftovers().is_empty());
}

/// Cancelled while its creates are in flight: the creates still land, and the rollback
/// waits for them, so nothing appears after it (checked again a second later).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_cancelled_mid_create_leaves_nothing_even_later() {
    let p = Project::new("midcreate");
    let dir = support::workspace();
    let mut stack = String::from("services:\n");
    for i in 0..6 {
        stack.push_str(&format!(
            "  s{i}: {{ image: busybox:1.36, command: [\"sleep\", \"3600\"] }}\n"
        ));
    }
    let lab = lab_in(dir.path(), &stack);
    let docker = lab::engine::connect().await.expect("engine");
    let plan = plan(&lab, "test-course", &p.name).expect("plan");
    let run = new_run_id();
    let opts = ApplyOptions::default();
    let filter = lab::engine::find::Filter::project(&p.name);
    let first_container = async {
        loop {
            if lab::engine::find::list(&docker, &filter)
                .await
                .is_ok_and(|l| !l.is_empty())
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        tokio::select! {
            r = apply(&docker, &plan, &opts, &run) => Some(r),
            _ = first_container => None,
        }
    })
    .await
    .expect("the start neither finished nor created anything");
    assert!(outcome.is_none(), "cancelled too late: {outcome:?}");
    rollback(&docker, &p.name, &run).await;
    assert!(p.leftovers().is_empty(), "left behind: {:?}", p.leftovers());
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(
        p.leftovers().is_empty(),
        "appeared after the rollback: {:?}",
        p.leftovers()
    );
}
