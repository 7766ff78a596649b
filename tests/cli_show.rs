//! `lab show` through the real binary on a lab that uses every piece of Markdown a course
//! writes: aligned tables, code spans everywhere, long paragraphs, nested and ordered lists,
//! sections without checks, and checks whose summaries must not leave anything out.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn course() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/show")
}

fn lab(args: &[&str], columns: Option<&str>) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lab"));
    cmd.args(args)
        .current_dir(course())
        .env_remove("LAB_COURSE")
        .env_remove("COLUMNS")
        .env("LAB_HOME", home.path())
        .env("NO_COLOR", "1");
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    cmd.output().expect("run lab")
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn show_renders_markdown_at_the_width_columns_gives() {
    let out = stdout(&lab(&["show", "markdown"], Some("60")));
    // Only the code block, kept as written, runs past the width.
    let wide: Vec<&str> = out.lines().filter(|l| l.chars().count() > 60).collect();
    assert_eq!(
        wide,
        [
            "    $ docker network connect front web   # a comment that runs past sixty columns, unwrapped"
        ]
    );
    insta::assert_snapshot!(out);
}

#[test]
fn show_wraps_at_80_columns_without_a_terminal_or_columns() {
    let out = stdout(&lab(&["show", "markdown"], None));
    let prose: String = out
        .lines()
        .filter(|l| !l.contains("# a comment"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(widest(&prose) <= 80, "{out}");
    assert!(widest(&prose) > 60, "{out}");
    // A width that is not a number is ignored.
    assert_eq!(out, stdout(&lab(&["show", "markdown"], Some("wide"))));
}

#[test]
fn with_colour_code_is_styled_instead_of_quoted() {
    let out = stdout(&lab(&["--color", "always", "show", "markdown"], Some("60")));
    for code in ["front", "web", "docker network rm front", "inline code"] {
        assert!(
            !out.contains(&format!("`{code}`")),
            "backticks around {code}:\n{out}"
        );
        assert!(
            out.contains(&format!("\x1b[36m{code}\x1b[0m")),
            "{code} is not styled:\n{out}"
        );
    }
}

#[test]
fn sections_without_checks_are_not_tasks() {
    let out = stdout(&lab(&["show", "markdown"], Some("60")));
    assert!(out.contains("Task 1 · Wire the `front` network"), "{out}");
    assert!(!out.contains("Task 2"), "{out}");
    assert!(
        out.contains("\nClean up\n") && out.contains("\nGoing further\n"),
        "{out}"
    );
    let list = lab(&["list", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(v["labs"][0]["tasks"], 1, "{v}");
}
