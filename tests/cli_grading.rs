//! What a student meets around grading, through the real binary and engine: a lab that is
//! not running, missing objects that fail at once, checks blocked by what they need, the
//! lab's files from any folder, hints of the running lab, logs of a container by name,
//! no suggestion of another week's number.

mod support;

use std::process::{Command, Output};

use support::{Project, course, lab_bin};

const LAB: &str = "---
title: Grading
---

```yaml stack
services:
  web:
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"echo web says hi; exec sleep 3600\"]
```

## Make things

```yaml check
id: helper-runs
title: the helper runs
hint: Run a container named helper.
container: { container: PROJECT-helper, state: running }
eventually: 30s
```

```yaml check
id: helper-says
title: the helper says hello
needs: [helper-runs]
logs: { container: PROJECT-helper, contains: hello }
eventually: 30s
```

```yaml check
id: net-made
title: the network exists
network: { name: PROJECT-net }
eventually: 30s
```
";

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(lab_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lab")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_fresh_lab_is_graded_at_once_and_says_what_is_missing() {
    let p = Project::new("fresh");
    let dir = course(&[("grading", &LAB.replace("PROJECT", &p.name))], &[]);
    std::fs::create_dir_all(dir.path().join("labs/grading/files/app")).expect("mkdir");
    let project = ["--project", p.name.as_str()];

    // Not running: exit 3, saying how to start it.
    let o = run(dir.path(), &[&["check", "grading"][..], &project].concat());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("grading is not running (project {})", p.name))
            && text(&o).contains("lab start grading"),
        "{}",
        text(&o)
    );

    let o = run(
        dir.path(),
        &[&["start", "grading", "-q"][..], &project].concat(),
    );
    assert!(o.status.success(), "{}", text(&o));
    // Fresh: what does not exist fails at once (one attempt, not 30 s of them), and what
    // needs it is blocked.
    let o = run(
        dir.path(),
        &[&["check", "grading", "--format", "json"][..], &project].concat(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let status = |i: usize| {
        v["tests"][i]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        (status(0), status(1), status(2)),
        ("fail".into(), "blocked".into(), "fail".into()),
        "{v}"
    );
    assert_eq!(
        v["tests"][0]["attempts"], 1,
        "no retries on what is missing"
    );
    assert_eq!(
        v["tests"][2]["attempts"], 1,
        "no retries on what is missing"
    );
    assert_eq!(v["tests"][1]["hint"], "Run a container named helper.");
    assert!(
        v["tests"][1]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("blocked by helper-runs")),
        "{v}"
    );

    // Logs by container name, hints of the running lab, the lab's files.
    let o = run(
        dir.path(),
        &[
            &["logs", &format!("{}-web", p.name)][..],
            &["--lab", "grading"],
            &project,
        ]
        .concat(),
    );
    assert!(
        o.status.success() && text(&o).contains("web says hi"),
        "{}",
        text(&o)
    );
    let o = run(dir.path(), &["hint", "helper-runs"]);
    assert!(
        o.status.success() && text(&o).contains("Run a container named helper."),
        "{}",
        text(&o)
    );
    let o = run(&dir.path().join("labs"), &["files", "grading"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .ends_with("labs/grading/files")
    );
    let o = run(dir.path(), &[&["stop", "grading"][..], &project].concat());
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn another_weeks_number_is_not_a_typo() {
    let dir = course(
        &[
            ("week1", "---\ntitle: One\n---\n"),
            ("week2", "---\ntitle: Two\n---\n"),
        ],
        &[],
    );
    let o = run(dir.path(), &["show", "week5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!text(&o).contains("did you mean"), "{}", text(&o));
    assert!(text(&o).contains("the labs: week1, week2"), "{}", text(&o));
    let o = run(dir.path(), &["show", "wek2"]);
    assert!(text(&o).contains("did you mean \"week2\""), "{}", text(&o));
}
