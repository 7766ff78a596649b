//! The report formats, as snapshots. The run is real (host checks in a temp workspace);
//! durations are set to fixed values so the snapshots are stable.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lab::checks::{RunContext, run_checks};
use lab::course::{LoadOptions, parse_lab};
use lab::report::{Format, Report, github};
use lab::ui::Style;

fn report() -> Report {
    let text = "---\ntitle: Reports | \"quoted\"\n---\n\n\
        ```yaml check\nid: intro\ntitle: The workspace exists\npoints: 0\ncommand: { run: \"true\" }\n```\n\n\
        ## Task one: files\n\n\
        ```yaml check\nid: answers\ntitle: answers.txt names the states\npoints: 2\nfile: { path: answers.txt, contains: paused }\n```\n\n\
        ```yaml check\nid: missing\ntitle: notes.md exists\nhint: Write notes.md with what you learned.\nfile: { path: notes.md }\n```\n\n\
        ```yaml check\nid: notes-say\ntitle: notes.md says what a volume is\nneeds: [missing]\nfile: { path: notes.md, contains: volume }\n```\n\n\
        ## Task two: commands # and hashes\n\n\
        ```yaml check\nid: prints\ntitle: the script prints ok\npoints: 3\ncommand: { run: \"printf 'ok\\\\n'; printf 'warn\\\\n' >&2\", stdout: ok }\n```\n\n\
        ```yaml check\nid: exits\ntitle: the script exits 0\nhint: \"Read the error: it says what is missing.\"\ncommand: { run: \"echo 'no such file: config.yaml' >&2; exit 2\" }\n```\n\n\
        ```yaml check\nid: engine\ntitle: web is running\ncontainer: { container: web, state: running }\n```\n";
    let lab = parse_lab(
        text,
        "reports",
        Path::new("labs/reports/README.md"),
        Path::new("/tmp"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let ws = tempfile::tempdir().expect("temp dir");
    std::fs::write(ws.path().join("answers.txt"), "running paused\n").expect("write");
    let mut ctx = RunContext::new(
        None,
        "reports",
        ws.path().to_path_buf(),
        ws.path().to_path_buf(),
    );
    ctx.default_timeout = Duration::from_secs(5);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut results = rt.block_on(run_checks(Arc::new(ctx), &lab.checks, 4, &|_| {}));
    for (i, r) in results.iter_mut().enumerate() {
        r.duration = Duration::from_millis(10 * (i as u64 + 1));
    }
    Report::new(&lab, "reports", results, Duration::from_millis(1234))
}

#[test]
fn text() {
    insta::assert_snapshot!(report().render(Format::Text, false, Style::PLAIN));
}

#[test]
fn text_verbose() {
    insta::assert_snapshot!(report().render(Format::Text, true, Style::PLAIN));
}

#[test]
fn json() {
    let r = report().render(Format::Json, false, Style::PLAIN);
    let v: serde_json::Value = serde_json::from_str(&r).expect("valid JSON");
    assert_eq!(v["tests"].as_array().map(Vec::len), Some(7));
    insta::assert_snapshot!(r);
}

#[test]
fn junit() {
    let r = report().render(Format::Junit, false, Style::PLAIN);
    assert!(r.starts_with("<?xml"));
    insta::assert_snapshot!(r);
}

#[test]
fn tap() {
    insta::assert_snapshot!(report().render(Format::Tap, false, Style::PLAIN));
}

#[test]
fn github() {
    let g = github::render(&report());
    assert!(
        g.annotations
            .contains("::notice title=Autograding complete::Points 5/9")
    );
    insta::assert_snapshot!("github_annotations", g.annotations);
    insta::assert_snapshot!("github_summary", g.summary);
}

#[test]
fn tap_is_read_by_prove() {
    // Perl's prove reads TAP 13; where it is installed, it must accept our stream.
    let Ok(status) = std::process::Command::new("prove")
        .arg("--version")
        .output()
    else {
        return;
    };
    if !status.status.success() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let tap = report().render(Format::Tap, false, Style::PLAIN);
    let script = dir.path().join("report.t");
    std::fs::write(&script, format!("#!/bin/sh\ncat <<'TAP'\n{tap}TAP\n")).expect("write");
    let out = std::process::Command::new("prove")
        .arg("-e")
        .arg("sh")
        .arg(&script)
        .output()
        .expect("prove");
    let text = String::from_utf8_lossy(&out.stdout);
    // prove parses it: it counts the failing tests (4 of 7: a blocked check is not a pass),
    // and does not complain about the version.
    assert!(
        text.contains("Failed 4/7 subtests"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A class of three: one graded from the report above, one graded with nothing done, one
/// that could not be graded.
fn gradebook() -> lab::report::gradebook::Gradebook {
    use lab::report::gradebook::{CheckInfo, GRADEBOOK_VERSION, Gradebook, Row};
    let r = report();
    let json: serde_json::Value =
        serde_json::from_str(&r.render(Format::Json, false, Style::PLAIN)).expect("json");
    let row = |student: &str, report: Option<&Report>, error: Option<&str>| Row {
        student: student.into(),
        status: if error.is_some() { "error" } else { "graded" }.into(),
        score: report.map(|r| r.score).unwrap_or(0),
        max_score: r.max_score,
        points: report
            .map(|r| r.checks.iter().map(|c| (c.id.clone(), c.points)).collect())
            .unwrap_or_default(),
        duration_s: 4.2,
        phases: vec![
            ("start".into(), 1.0),
            ("script".into(), 1.5),
            ("checks".into(), 1.5),
            ("teardown".into(), 0.2),
        ],
        engine: "unix:///var/run/docker.sock".into(),
        error: error.map(str::to_string),
        notes: error
            .map(|_| vec!["run.sh exited with 1: no such file".to_string()])
            .unwrap_or_default(),
        report: report.map(|_| json.clone()),
    };
    let mut book = Gradebook {
        gradebook_version: GRADEBOOK_VERSION,
        lab: "reports".into(),
        course: "course".into(),
        graded_at: "2026-11-28T12:00:00Z".into(),
        lab_digest: "sha256:0123".into(),
        checks: r
            .checks
            .iter()
            .map(|c| CheckInfo {
                id: c.id.clone(),
                title: c.title.clone(),
                points: c.max_points,
            })
            .collect(),
        rows: Vec::new(),
    };
    book.merge(vec![
        row(
            "linus",
            None,
            Some("it did not finish within 1m (start, stack, script, checks)"),
        ),
        row("ada, \"the countess\"", Some(&r), None),
    ]);
    book
}

#[test]
fn gradebook_csv_json_junit() {
    let book = gradebook();
    insta::assert_snapshot!("gradebook_csv", book.csv());
    insta::assert_snapshot!("gradebook_json", book.json());
    insta::assert_snapshot!("gradebook_junit", book.junit());
}

#[test]
fn gradebook_reads_back_what_it_wrote_and_a_regrade_replaces_rows() {
    use lab::report::gradebook::Gradebook;
    let book = gradebook();
    let mut again = Gradebook::from_json(&book.json()).expect("reads back");
    assert_eq!(again.json(), book.json());
    let mut regraded = again.rows[1].clone();
    regraded.status = "graded".into();
    regraded.error = None;
    again.merge(vec![regraded]);
    assert_eq!(again.rows.len(), 2);
    assert_eq!(again.rows.iter().filter(|r| r.status == "error").count(), 0);
}

#[test]
fn gradescope_and_classroom_shapes() {
    use base64::Engine as _;
    let r = report();
    insta::assert_snapshot!("gradescope_results", lab::report::gradebook::gradescope(&r));
    let encoded = lab::report::gradebook::classroom_result(&r, "reports");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    let v: serde_json::Value = serde_json::from_slice(&decoded).expect("json");
    insta::assert_json_snapshot!("classroom_result", v);
}
