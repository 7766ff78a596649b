//! The progress store through the real binary: attempts recorded and summed, a changed lab
//! seen, `kill -9` at random moments never corrupting it or losing a finished attempt, two
//! `lab check` at once, export → import, a store that cannot be opened not stopping grading.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::{course, lab_bin};

/// A lab without a stack: its checks look at the workspace only.
fn lab_text(second: &str) -> String {
    format!(
        "---\ntitle: Notes\n---\n\n## Write notes\n\n\
         ```yaml check\nid: notes\ntitle: notes.md exists\npoints: 2\nfile: {{ path: notes.md }}\n```\n\n\
         ```yaml check\nid: says\ntitle: notes.md says what a volume is\npoints: 1\n{second}\n```\n"
    )
}

fn run(dir: &Path, home: &Path, ws: &Path, args: &[&str]) -> Output {
    Command::new(lab_bin())
        .args(args)
        .current_dir(dir)
        .env("LAB_HOME", home)
        .env("NO_COLOR", "1")
        .env("LAB_WS", ws)
        .output()
        .expect("run lab")
}

fn check(dir: &Path, home: &Path, ws: &Path) -> Output {
    run(
        dir,
        home,
        ws,
        &[
            "check",
            "notes",
            "--workspace",
            ws.to_str().unwrap_or_default(),
        ],
    )
}

fn progress(dir: &Path, home: &Path) -> serde_json::Value {
    let o = run(dir, home, home, &["progress", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("json")
}

#[test]
fn attempts_are_recorded_summed_and_moved() {
    support::engine();
    let dir = course(
        &[(
            "notes",
            &lab_text("file: { path: notes.md, contains: volume }"),
        )],
        &[],
    );
    let home = tempfile::tempdir().expect("home");
    let ws = support::workspace();
    // Nothing yet.
    assert_eq!(
        progress(dir.path(), home.path())["labs"][0]["status"],
        "not_started"
    );
    // A failing attempt, then a full one.
    assert_eq!(
        check(dir.path(), home.path(), ws.path()).status.code(),
        Some(1)
    );
    std::fs::write(ws.path().join("notes.md"), "a volume keeps data\n").expect("write");
    assert_eq!(
        check(dir.path(), home.path(), ws.path()).status.code(),
        Some(0)
    );
    let p = progress(dir.path(), home.path());
    let lab = &p["labs"][0];
    assert_eq!(lab["status"], "done", "{p}");
    assert_eq!(
        (lab["best_score"].as_u64(), lab["max_score"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(lab["attempts"], 2);
    assert_eq!(p["totals"]["streak_days"], 1);
    assert_eq!(lab["changed_since"], false);

    // Export, then import into an empty store: the same progress.
    let file = home.path().join("export.json");
    let o = run(
        dir.path(),
        home.path(),
        ws.path(),
        &["progress", "export", file.to_str().unwrap_or_default()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let other = tempfile::tempdir().expect("other home");
    let o = run(
        dir.path(),
        other.path(),
        ws.path(),
        &["progress", "import", file.to_str().unwrap_or_default()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let moved = progress(dir.path(), other.path());
    assert_eq!(moved["labs"], p["labs"]);
    // Importing again adds nothing.
    let o = run(
        dir.path(),
        other.path(),
        ws.path(),
        &["progress", "import", file.to_str().unwrap_or_default()],
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("imported 0 attempts"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(progress(dir.path(), other.path())["labs"][0]["attempts"], 2);

    // A changed check is a new version of the lab: old attempts no longer make it done.
    std::fs::write(
        dir.path().join("labs/notes/README.md"),
        lab_text("file: { path: notes.md, contains: network }"),
    )
    .expect("rewrite");
    let p = progress(dir.path(), home.path());
    assert_eq!(p["labs"][0]["changed_since"], true, "{p}");
    assert_eq!(p["labs"][0]["status"], "in_progress", "{p}");

    // Reset asks first; without a terminal it needs --yes.
    let o = run(
        dir.path(),
        home.path(),
        ws.path(),
        &["progress", "reset", "notes"],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        dir.path(),
        home.path(),
        ws.path(),
        &["progress", "reset", "notes", "--yes"],
    );
    assert!(o.status.success());
    assert_eq!(progress(dir.path(), home.path())["labs"][0]["attempts"], 0);
}

#[test]
fn kill_at_any_moment_loses_at_most_the_attempt_being_written() {
    support::engine();
    let dir = course(
        &[("notes", &lab_text("command: { run: \"sleep 0.2; true\" }"))],
        &[],
    );
    let home = tempfile::tempdir().expect("home");
    let ws = support::workspace();
    std::fs::write(ws.path().join("notes.md"), "x").expect("write");
    let mut finished = 0;
    for i in 0..20u64 {
        let mut child = Command::new(lab_bin())
            .args([
                "check",
                "notes",
                "--workspace",
                ws.path().to_str().unwrap_or_default(),
            ])
            .current_dir(dir.path())
            .env("LAB_HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Spread over the run, the end (where the attempt is written) included.
        std::thread::sleep(Duration::from_millis(100 + (i * 37) % 300));
        // SIGKILL on unix (TerminateProcess on Windows): no chance to clean up.
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if status.code().is_some() {
            finished += 1;
        }
    }
    let o = run(dir.path(), home.path(), ws.path(), &["progress", "--json"]);
    assert!(
        o.status.success(),
        "the store opens: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let attempts = p["labs"][0]["attempts"].as_u64().unwrap_or(0);
    assert!(
        attempts >= finished,
        "{attempts} recorded, {finished} finished"
    );
    let store = lab::progress::Store::open(&home.path().join("progress.db")).expect("open");
    assert_eq!(store.integrity().expect("check"), "ok");
}

#[test]
fn two_checks_at_once_are_both_recorded() {
    support::engine();
    let dir = course(
        &[("notes", &lab_text("command: { run: \"sleep 0.3\" }"))],
        &[],
    );
    let home = tempfile::tempdir().expect("home");
    let ws = support::workspace();
    let spawn = || {
        Command::new(lab_bin())
            .args([
                "check",
                "notes",
                "--workspace",
                ws.path().to_str().unwrap_or_default(),
            ])
            .current_dir(dir.path())
            .env("LAB_HOME", home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn(), spawn());
    for c in [a, b] {
        let out = c.wait_with_output().expect("wait");
        // The report (stdout) says why an attempt was not recorded.
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!said.contains("not recorded"), "{said}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{:?}: {said}",
            out.status
        );
    }
    assert_eq!(progress(dir.path(), home.path())["labs"][0]["attempts"], 2);
}

#[test]
fn a_store_that_cannot_be_opened_does_not_stop_grading() {
    support::engine();
    let dir = course(
        &[(
            "notes",
            &lab_text("file: { path: notes.md, contains: volume }"),
        )],
        &[],
    );
    let home = tempfile::tempdir().expect("home");
    let ws = support::workspace();
    // A file where the store should be, and not a database.
    std::fs::write(home.path().join("progress.db"), "this is not a database").expect("write");
    let o = check(dir.path(), home.path(), ws.path());
    assert_eq!(o.status.code(), Some(1), "graded as usual");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("this attempt was not recorded"), "{out}");
    // JSON says so too.
    let o = run(
        dir.path(),
        home.path(),
        ws.path(),
        &[
            "check",
            "notes",
            "--format",
            "json",
            "--workspace",
            ws.path().to_str().unwrap_or_default(),
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(
        v["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("not recorded")),
        "{v}"
    );
}
