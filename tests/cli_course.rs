//! The course commands through the real binary: exit codes, output, JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example")
}

fn lab(args: &[&str], cwd: &Path) -> Output {
    // An empty progress store of its own: what `lab list` shows does not depend on what
    // other runs recorded.
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let home = HOME.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .current_dir(cwd)
        .env_remove("LAB_COURSE")
        // `lab show` wraps at COLUMNS when it is set.
        .env_remove("COLUMNS")
        .env("LAB_HOME", home.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run lab")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn lint_accepts_the_example_course() {
    let o = lab(&["lint"], &example());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert!(
        out.contains("\nok course \"Example Course\": 2 labs"),
        "{out}"
    );
    // The fixture has no solutions: a warning each, and lint still passes.
    assert!(
        out.starts_with(
            "labs/basics/README.md: warning: lab \"basics\" has no solutions/basics/solve.sh"
        ),
        "{out}"
    );
    assert!(out.contains("(2 warnings)"), "{out}");
}

#[test]
fn lint_finds_the_course_from_a_subfolder_and_takes_a_lab_path() {
    let o = lab(&["lint", "labs/services/README.md"], &example());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("lab \"services\": 3 tasks, 12 checks"),
        "{}",
        stdout(&o)
    );
    let o = lab(&["lint"], &example().join("labs/services/files"));
    assert_eq!(o.status.code(), Some(0));
}

fn broken_course() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("labs/w1")).expect("mkdir");
    std::fs::write(
        dir.path().join("labs/course.yaml"),
        "format_version: 1\ntitle: T\nlabs: [w1]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("labs/w1/README.md"),
        "---\ntitle: W\n---\n\n```yaml stack\nservices:\n  web:\n    image: busybox:1.36\n    helthcheck: {}\n```\n",
    )
    .expect("write");
    dir
}

#[test]
fn lint_reports_location_and_exits_2() {
    let dir = broken_course();
    let o = lab(&["lint"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(
        out.starts_with("labs/w1/README.md:9:5: unknown key \"helthcheck\" in service \"web\" (did you mean \"healthcheck\"?)"),
        "{out}"
    );
    assert!(out.contains("1 error in 1 file"), "{out}");
}

#[test]
fn lint_json_is_versioned_and_precise() {
    let dir = broken_course();
    let o = lab(&["lint", "--json"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    insta::assert_json_snapshot!(v);
}

#[test]
fn list_shows_labs_in_order() {
    let o = lab(&["list"], &example());
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&o));
    let o = lab(&["list", "--json"], &example());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["labs"][1]["id"], "services");
    assert_eq!(v["labs"][1]["points"], 15);
}

#[test]
fn show_renders_summaries_not_yaml() {
    let o = lab(&["show", "services"], &example());
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(!out.contains("```"), "raw fences leaked:\n{out}");
    assert!(!out.contains("\x1b["), "colour without a terminal:\n{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn commands_on_a_broken_course_exit_2_with_the_errors() {
    let dir = broken_course();
    let o = lab(&["list"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("labs/w1/README.md:9:5"));
}

#[test]
fn unknown_lab_is_exit_2_with_a_suggestion() {
    let o = lab(&["show", "servces"], &example());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no lab \"servces\"") && err.contains("did you mean \"services\""),
        "{err}"
    );
}

#[test]
fn no_course_is_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = lab(&["list"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no course found"));
}

#[test]
fn course_flag_and_env_select_the_course() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = example();
    let o = lab(
        &["--course", course.to_str().unwrap_or_default(), "list"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let o = Command::new(env!("CARGO_BIN_EXE_lab"))
        .arg("list")
        .current_dir(dir.path())
        .env("LAB_COURSE", &course)
        .output()
        .expect("run lab");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn bad_flag_is_exit_2_and_help_works() {
    let o = lab(&["list", "--frobnicate"], &example());
    assert_eq!(o.status.code(), Some(2));
    let o = lab(&["--help"], &example());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Exit codes"));
}

#[test]
fn completions_generate() {
    for shell in ["bash", "zsh", "fish"] {
        let o = lab(&["completions", shell], &example());
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("lint"), "{shell}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy");
        }
    }
}

#[test]
fn new_scaffolds_a_lab_that_lints_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&example().join("labs"), &dir.path().join("labs"));
    let o = lab(&["new", "week5", "--title", "Scaling out"], dir.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let course = std::fs::read_to_string(dir.path().join("labs/course.yaml")).expect("course.yaml");
    assert!(
        course.contains("labs: [basics, services, week5]"),
        "{course}"
    );
    assert!(dir.path().join("solutions/week5/solve.sh").is_file());
    let o = lab(&["lint"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = lab(&["new", "week5"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let o = lab(&["new", "Week_6"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn hint_shows_hints() {
    let o = lab(&["hint", "services", "db-healthy"], &example());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("The health check probes port 5432"));
    let o = lab(&["hint", "services", "nope"], &example());
    assert_eq!(o.status.code(), Some(2));
}

/// A course with lab `scaling` (which requires `week9`, not a lab of the course) and a
/// clean lab `w1` with its solution; `scaling` has none.
fn course_with_scaling() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for (id, front) in [
        ("w1", "title: W1"),
        ("scaling", "title: S\nrequires: [week9]"),
    ] {
        std::fs::create_dir_all(root.join("labs").join(id)).expect("mkdir");
        std::fs::write(
            root.join("labs").join(id).join("README.md"),
            format!("---\n{front}\n---\n\n# Lab\n"),
        )
        .expect("write");
    }
    std::fs::write(
        root.join("labs/course.yaml"),
        "format_version: 1\ntitle: T\nlabs: [w1, scaling]\n",
    )
    .expect("write");
    std::fs::create_dir_all(root.join("solutions/w1")).expect("mkdir");
    std::fs::write(root.join("solutions/w1/solve.sh"), "#!/bin/sh\n").expect("write");
    dir
}

// Issue 15: a lab linted alone is checked as its course checks it.
#[test]
fn lint_of_a_lab_checks_requires_against_its_course() {
    let dir = course_with_scaling();
    let o = lab(&["lint", "labs/scaling"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stdout(&o).starts_with(
            "labs/scaling/README.md:3:12: lab \"scaling\" requires \"week9\", which is not a lab of this course"
        ),
        "{}",
        stdout(&o)
    );
}

// Issue 15: `--course DIR` with a relative lab path, run from another folder.
#[test]
fn lint_finds_a_relative_lab_path_in_the_course_given() {
    let dir = course_with_scaling();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let course = dir.path().to_str().unwrap_or_default();
    let o = lab(&["--course", course, "lint", "labs/w1"], elsewhere.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("ok lab \"w1\""), "{}", stdout(&o));
    let o = lab(&["--course", course, "lint", "labs/nope"], elsewhere.path());
    assert_eq!(o.status.code(), Some(2));
}

// Issue 15: a lab without solutions/<id>/solve.sh is a warning; lint still passes.
#[test]
fn lint_warns_about_a_missing_solution_and_passes() {
    let dir = course_with_scaling();
    std::fs::write(
        dir.path().join("labs/scaling/README.md"),
        "---\ntitle: S\nrequires: [w1]\n---\n\n# Lab\n",
    )
    .expect("write");
    let o = lab(&["lint"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    insta::assert_snapshot!(stdout(&o));
    let o = lab(&["lint", "--json"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    insta::assert_json_snapshot!(v);
}
