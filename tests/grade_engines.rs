//! `lab grade` over two engines: a second engine is started beside the first (as
//! ENGINE_FACTS.md says, never with --bridge=none), the lab's images are copied to it, the
//! submissions are spread over both and graded alike, and the second engine is removed.
//! Skipped, saying why, where a second engine cannot be started (not root, no dockerd).

mod support;

use std::process::Command;

struct SecondEngine(String);

impl SecondEngine {
    fn start() -> Option<SecondEngine> {
        let script = support::manifest_dir().join("scripts/second-engine.sh");
        let o = Command::new("bash")
            .arg(&script)
            .arg("start")
            .output()
            .ok()?;
        if !o.status.success() {
            eprintln!(
                "skipped: a second engine cannot be started here: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return None;
        }
        Some(SecondEngine(
            String::from_utf8_lossy(&o.stdout).trim().to_string(),
        ))
    }
}

impl Drop for SecondEngine {
    fn drop(&mut self) {
        let script = support::manifest_dir().join("scripts/second-engine.sh");
        let _ = Command::new("bash").arg(script).arg("stop").status();
    }
}

#[test]
fn submissions_are_spread_over_two_engines_and_graded_alike() {
    support::engine();
    let Some(second) = SecondEngine::start() else {
        return;
    };
    let subs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let reference = support::manifest_dir().join("solutions/week2/submission");
    for s in ["ada", "bea", "cy", "dee"] {
        let to = subs.path().join(s);
        std::fs::create_dir_all(&to).unwrap();
        for f in ["run.sh", "automate.sh"] {
            std::fs::copy(reference.join(f), to.join(f)).unwrap();
        }
    }
    let first =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let o = support::lab_grade(
        &support::manifest_dir(),
        &[
            "grade",
            "week2",
            "--trust-submissions",
            "--engine",
            &first,
            "--engine",
            &second.0,
        ],
        (subs.path(), out.path()),
        &[],
    );
    let said = support::said(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let rows = support::gradebook_rows(out.path());
    assert_eq!(rows.len(), 4, "{said}");
    for r in &rows {
        assert_eq!(r["status"], "graded", "{r:#}");
        assert_eq!(r["score"], r["max_score"], "{r:#}");
    }
    let engines: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r["engine"].as_str()).collect();
    assert_eq!(engines.len(), 2, "both engines graded: {engines:?}");
    // Nothing of the lab is left on the second engine either (the first: CI's own check).
    let ps = Command::new("docker")
        .args(["-H", &second.0, "ps", "-aq"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&ps.stdout).trim(), "");
}
