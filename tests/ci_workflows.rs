//! The classroom CI workflows as shipped (`classroom/`): equal to what `lab ci` prints,
//! named as GitHub Classroom's reporter needs, and their steps, run here on a student's
//! repository holding the reference submission, give the outputs each platform reads (the
//! Points notice, the job summary and the base64 `result`; GitLab's JUnit). Neither
//! compiles `lab`: GitHub's job installs the release's binary with install.sh (run here
//! from a folder laid out as the release, since GitHub cannot be reached: only the base
//! address changes), GitLab's job runs in the release's image (tests/image.rs runs its
//! script in that image; here it runs with this build of `lab` on the PATH).

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
    for week in [
        "week1",
        "week2",
        "week3",
        "week4",
        "chat",
        "pipeline",
        "monitoring",
    ] {
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
    support::copy_tree(&root.join("labs"), &repo.path().join("labs"));
    support::copy_tree(
        &root.join("solutions").join(week).join("submission"),
        repo.path(),
    );
    repo
}

/// `run:` as the runner would: bash, in the repository, `bin` first on the PATH.
fn run_step(script: &str, repo: &Path, bin: &Path, env: &[(&str, &Path)]) -> std::process::Output {
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
    let install = steps.iter().find(|s| s["name"] == "Install lab").unwrap();
    let grade = steps.iter().find(|s| s["id"] == "week2").unwrap();
    // This version's release, nothing compiled.
    assert_eq!(
        install["env"]["LAB_INSTALL_BASE"],
        lab::report::ci::release_url()
    );
    assert!(
        !steps
            .iter()
            .any(|s| s["run"].as_str().is_some_and(|r| r.contains("cargo"))),
        "{steps:?}"
    );
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

    // The install step, from a folder laid out as the release (the archive holds this
    // build of lab), its address given as GitHub's would be: a URL (file://, which curl
    // and install.sh take). `${{ runner.temp }}` is what the runner puts there.
    let release = tempfile::tempdir().unwrap();
    support::release::make(Path::new(support::lab_bin()), release.path());
    let github_path = temp.path().join("github_path");
    let dest = install["env"]["LAB_INSTALL_DIR"]
        .as_str()
        .unwrap()
        .replace("${{ runner.temp }}", temp.path().to_str().unwrap());
    let base = format!("file://{}", release.path().display());
    let o = run_step(
        install["run"].as_str().unwrap(),
        repo.path(),
        Path::new("/nonexistent"),
        &[
            ("RUNNER_TEMP", temp.path()),
            ("GITHUB_PATH", &github_path),
            ("LAB_INSTALL_BASE", Path::new(&base)),
            ("LAB_INSTALL_DIR", Path::new(&dest)),
        ],
    );
    let said = support::said(&o);
    assert_eq!(o.status.code(), Some(0), "the install step: {said}");
    assert!(said.contains("checksum verified"), "{said}");
    let added = std::fs::read_to_string(&github_path).unwrap();
    assert_eq!(added.trim(), dest, "what the step adds to the PATH");
    assert!(Path::new(&dest).join("lab").is_file());

    // The grading step, with the lab the install step installed (and only that) on the PATH.
    let output = temp.path().join("output");
    let summary = temp.path().join("summary.md");
    let o = run_step(
        grade["run"].as_str().unwrap(),
        repo.path(),
        Path::new(&dest),
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
    // The release's image of this version, nothing compiled.
    assert_eq!(job["image"]["name"], lab::report::ci::image());
    let script = job["script"].as_array().unwrap();
    let script: Vec<&str> = script.iter().map(|l| l.as_str().unwrap()).collect();
    assert!(!script.iter().any(|l| l.contains("cargo")), "{script:?}");
    // The image's lab is this test's binary (tests/image.rs runs it in the image).
    let repo = student_repo("week3");
    let bin = Path::new(support::lab_bin()).parent().unwrap();
    let o = run_step(&script.join("\n"), repo.path(), bin, &[]);
    let said = support::said(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let junit = std::fs::read_to_string(repo.path().join("grades/week3/junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 1, "{junit}");
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
}
