//! The classroom CI workflows as shipped (`classroom/`): equal to what `lab ci` prints,
//! named as GitHub Classroom's reporter needs, and their grading commands, run here on a
//! student's repository holding the reference submission, give the outputs each platform
//! reads (the Points notice, the job summary and the base64 `result`; GitLab's JUnit).

mod support;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use serde_json::Value;

fn lab(args: &[&str]) -> String {
    let o = Command::new(support::lab_bin())
        .args(args)
        .current_dir(support::manifest_dir())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn shipped_workflows_are_what_lab_ci_generates() {
    for week in ["week1", "week2", "week3", "week4"] {
        for platform in ["github", "gitlab"] {
            let shipped = support::manifest_dir()
                .join("classroom")
                .join(platform)
                .join(format!("{week}.yml"));
            let shipped = std::fs::read_to_string(&shipped).unwrap();
            assert_eq!(
                shipped,
                lab(&["ci", platform, week]),
                "classroom/{platform}/{week}.yml is stale: regenerate it with `lab ci {platform} {week} -o …`"
            );
        }
    }
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(support::manifest_dir().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

/// A student's repository made from the template: the course's labs, and the student's
/// files (here the reference submission) at its root.
fn student_repo(week: &str) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let root = support::manifest_dir();
    copy(&root.join("labs"), &repo.path().join("labs"));
    copy(
        &root.join("solutions").join(week).join("submission"),
        repo.path(),
    );
    repo
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// `run:` as the runner would: bash, in the repository, `lab` on the PATH.
fn run_step(script: &str, repo: &Path, env: &[(&str, &Path)]) -> std::process::Output {
    let bin = Path::new(support::lab_bin()).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-e", "-c", script])
        .current_dir(repo)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("LAB_COURSE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn github_classroom_workflow_grades_and_reports() {
    support::engine();
    let wf = yaml("classroom/github/week2.yml");
    assert_eq!(wf["name"], "Autograding Tests");
    let jobs = wf["jobs"].as_object().unwrap();
    assert_eq!(jobs.keys().collect::<Vec<_>>(), ["run-autograding-tests"]);
    assert_eq!(wf["permissions"]["checks"], "write");
    assert_eq!(wf["permissions"]["actions"], "read");
    assert_eq!(wf["permissions"]["contents"], "read");
    let steps = jobs["run-autograding-tests"]["steps"].as_array().unwrap();
    let grade = steps.iter().find(|s| s["id"] == "week2").unwrap();
    let reporter = steps.last().unwrap();
    assert_eq!(
        reporter["uses"],
        "classroom-resources/autograding-grading-reporter@v1"
    );
    assert_eq!(reporter["with"]["runners"], "week2");
    assert_eq!(
        reporter["env"]["WEEK2_RESULTS"],
        "${{steps.week2.outputs.result}}"
    );

    let repo = student_repo("week2");
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("output");
    let summary = temp.path().join("summary.md");
    let o = run_step(
        grade["run"].as_str().unwrap(),
        repo.path(),
        &[
            ("RUNNER_TEMP", temp.path()),
            ("GITHUB_OUTPUT", &output),
            ("GITHUB_STEP_SUMMARY", &summary),
        ],
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let said = format!("{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        stdout.contains("::notice title=Autograding complete::Points 12/12"),
        "{said}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("**Points 12/12**"), "{summary}");

    let output = std::fs::read_to_string(&output).unwrap();
    let encoded = output
        .lines()
        .find_map(|l| l.strip_prefix("result="))
        .expect("a result output");
    let result: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(result["version"], 1);
    assert_eq!(result["status"], "pass");
    assert_eq!(result["max_score"], 12);
    let tests = result["tests"].as_array().unwrap();
    let earned: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
    assert_eq!(earned, 12, "{result:#}");
    assert!(tests.iter().all(|t| t["status"] == "pass"), "{result:#}");
    // The gradebook of one, where the step put it.
    assert!(temp.path().join("grades/week2/gradebook.json").is_file());
}

#[test]
fn gitlab_workflow_grades_into_junit() {
    support::engine();
    let wf = yaml("classroom/gitlab/week3.yml");
    let job = &wf["grade-week3"];
    assert_eq!(
        job["artifacts"]["reports"]["junit"],
        "grades/week3/junit.xml"
    );
    let script = job["script"].as_array().unwrap();
    let line = script.last().unwrap().as_str().unwrap();
    // The job's own build of lab is this test's binary.
    let line = line.replace(".lab/bin/lab", "lab");
    let repo = student_repo("week3");
    let o = run_step(&line, repo.path(), &[]);
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0), "{said}");
    let junit = std::fs::read_to_string(repo.path().join("grades/week3/junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 1, "{junit}");
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
}
