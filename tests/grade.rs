//! `lab grade` over a class of sample submissions for each shipped week, on the real
//! engine with the real binary: the reference submission gets full marks, a partial one
//! some, an empty one none; hostile ones (an endless loop, a 100 MB print, a privileged
//! container, a script that deletes the lab's networks) become rows with their reasons,
//! the batch goes on, a regrade replaces rows, and nothing is left on the engine.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn lab(args: &[&str]) -> Output {
    Command::new(support::lab_bin())
        .args(args)
        .current_dir(support::manifest_dir())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run lab")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The class: the reference, the reference cut before task 4, nothing, and the hostile
/// ones (all but the endless loop, graded on its own with a short limit).
fn class(week: &str, dir: &Path) {
    let root = support::manifest_dir();
    let reference = root.join("solutions").join(week).join("submission");
    copy_dir(&reference, &dir.join("full"));
    copy_dir(&reference, &dir.join("partial"));
    let run = std::fs::read_to_string(reference.join("run.sh")).unwrap();
    let cut = run.find("# Task 4").expect("the reference has a task 4");
    std::fs::write(dir.join("partial/run.sh"), &run[..cut]).unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    for hostile in ["flood", "privileged", "delete-network"] {
        copy_dir(
            &root.join("tests/fixtures/submissions").join(hostile),
            &dir.join(hostile),
        );
    }
}

use support::{gradebook_rows as rows, row};

/// What is on the engine under the lab's name, besides the lab's own images.
fn left_behind(week: &str) -> Vec<String> {
    let mut left = support::named_after(&format!("{week}-"));
    let images = Command::new("docker")
        .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .output()
        .unwrap();
    left.extend(
        String::from_utf8_lossy(&images.stdout)
            .lines()
            .filter(|t| t.starts_with(&format!("{week}-")) && !t.ends_with(":lab"))
            .map(|t| format!("image {t}")),
    );
    let labelled = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=io.lab.project={week}"),
        ])
        .output()
        .unwrap();
    left.extend(
        String::from_utf8_lossy(&labelled.stdout)
            .lines()
            .map(|id| format!("labelled container {id}")),
    );
    left
}

/// Removes what a failing run left under the lab's name (the labelled lab, and what the
/// grader would have removed), so one failure does not spoil the next run.
struct Cleanup(&'static str);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new(support::lab_bin())
            .args(["stop", self.0, "--volumes"])
            .current_dir(support::manifest_dir())
            .output();
    }
}

fn grade_class(week: &'static str, loop_limit: &str) {
    support::engine();
    let _cleanup = Cleanup(week);
    let subs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out_s = out.path().to_str().unwrap();
    class(week, subs.path());

    let o = lab(&[
        "grade",
        week,
        "--submissions",
        subs.path().to_str().unwrap(),
        "--out",
        out_s,
        "--trust-submissions",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // The endless loop, on its own with a short limit, into the same gradebook.
    let looping = support::manifest_dir().join("tests/fixtures/submissions/loop");
    let o = lab(&[
        "grade",
        week,
        "--submission",
        looping.to_str().unwrap(),
        "--out",
        out_s,
        "--trust-submissions",
        "--timeout",
        loop_limit,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let r = rows(out.path());
    let max = row(&r, "full")["max_score"].as_u64().unwrap();
    let score = |s: &str| row(&r, s)["score"].as_u64().unwrap();
    let status = |s: &str| row(&r, s)["status"].as_str().unwrap().to_string();
    let error = |s: &str| row(&r, s)["error"].as_str().unwrap_or("").to_string();

    assert_eq!(
        (status("full"), score("full")),
        ("graded".into(), max),
        "{r:#?}"
    );
    assert_eq!(status("partial"), "graded");
    assert!(score("partial") > 0 && score("partial") < max, "{r:#?}");
    assert_eq!((status("empty"), score("empty")), ("graded".into(), 0));
    assert!(
        row(&r, "empty")["notes"].to_string().contains("no run.sh"),
        "{r:#?}"
    );
    assert_eq!(status("loop"), "error", "{:#?}", row(&r, "loop"));
    assert!(error("loop").contains("did not finish within"), "{r:#?}");
    assert_eq!(status("flood"), "error");
    assert!(error("flood").contains("more than 10 MB"), "{r:#?}");
    assert_eq!(status("privileged"), "error");
    assert!(
        error("privileged").contains("privileged container"),
        "{r:#?}"
    );
    assert!(error("privileged").contains("host folder"), "{r:#?}");
    assert_eq!(status("delete-network"), "graded");
    assert!(score("delete-network") < max, "{r:#?}");
    assert_eq!(r.len(), 7, "{r:#?}");
    // Where the full submission's time went: every phase, in seconds, adding up to about
    // the row's duration (the snapshots of the engine before and after are not a phase).
    let phases = &row(&r, "full")["phases_s"];
    for phase in ["start", "script", "checks", "teardown"] {
        assert!(
            phases[phase].as_f64().is_some_and(|s| s > 0.0),
            "{phase}: {r:#?}"
        );
    }
    let sum: f64 = phases
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_f64)
        .sum();
    let took = row(&r, "full")["duration_s"].as_f64().unwrap();
    assert!(
        sum <= took + 0.2 && sum >= took * 0.5,
        "{sum} of {took}: {r:#?}"
    );
    // The endless loop's script counts until the time-out cut it short; it never got to
    // its checks.
    let cut = &row(&r, "loop")["phases_s"];
    assert!(cut["script"].as_f64().is_some_and(|s| s > 0.0), "{r:#?}");
    assert_eq!(cut["checks"], Value::Null, "{r:#?}");
    assert!(cut["teardown"].as_f64().is_some(), "{r:#?}");

    // A regrade of one student replaces that row.
    let o = lab(&[
        "grade",
        week,
        "--submission",
        subs.path().join("empty").to_str().unwrap(),
        "--out",
        out_s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(rows(out.path()).len(), 7);

    // The other shapes agree with the gradebook.
    let csv = std::fs::read_to_string(out.path().join("gradebook.csv")).unwrap();
    assert_eq!(csv.lines().count(), 8, "{csv}");
    assert!(csv.starts_with("student,status,score,max_score,"), "{csv}");
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 7, "{junit}");
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("students/full/results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(results["score"].as_u64(), Some(max));
    let flood = std::fs::read_to_string(out.path().join("students/flood/report.txt")).unwrap();
    assert!(flood.contains("could not be graded"), "{flood}");

    assert_eq!(left_behind(week), Vec::<String>::new());
}

#[test]
fn week1_class() {
    grade_class("week1", "5s");
}

#[test]
fn week2_class() {
    grade_class("week2", "5s");
}

#[test]
fn week3_class() {
    grade_class("week3", "5s");
}

#[test]
fn week4_class() {
    grade_class("week4", "5s");
}
