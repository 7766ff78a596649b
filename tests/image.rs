//! The CI image (packaging/Dockerfile, built by scripts/build-image.sh from the static musl
//! build of `lab`): it lints the course, and it runs GitLab's grading script as GitLab's
//! runner would (sh in the image, the engine's socket mounted), grading a submission whose
//! run.sh calls bash and the docker CLI, all inside the image. Skipped, with a message,
//! when the musl binary is not built (`scripts/release.sh --targets x86_64-unknown-linux-musl`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The musl build: LAB_MUSL_BIN, else the one scripts/release.sh leaves in the target folder.
fn musl_lab() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LAB_MUSL_BIN") {
        return Some(PathBuf::from(p));
    }
    // CARGO_BIN_EXE_lab is <target dir>/<profile>/lab.
    let target = Path::new(support::lab_bin()).parent()?.parent()?;
    let p = target.join("x86_64-unknown-linux-musl/dist/lab");
    p.is_file().then_some(p)
}

/// The image and the containers a test makes, removed however it ends.
struct Made {
    image: String,
    containers: Vec<String>,
}

impl Drop for Made {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = Command::new("docker").args(["rm", "-f", c]).output();
        }
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.image])
            .output();
    }
}

fn said(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_image_lints_and_grades_as_gitlab_runs_it() {
    let Some(bin) = musl_lab() else {
        eprintln!(
            "skipping the CI image test: no musl build of lab (run scripts/release.sh \
             --targets x86_64-unknown-linux-musl, or set LAB_MUSL_BIN)"
        );
        return;
    };
    support::engine();
    let root = support::manifest_dir();
    let id = std::process::id();
    let mut made = Made {
        image: format!("labt-rel-image-{id}:test"),
        containers: vec![],
    };
    let o = Command::new("bash")
        .arg(root.join("scripts/build-image.sh"))
        .arg("--lab")
        .arg(&bin)
        .args(["--tag", &made.image])
        .output()
        .unwrap();
    assert!(o.status.success(), "build-image.sh: {}", said(&o));

    // lab lint, the course mounted read-only.
    let name = format!("labt-rel-lint-{id}");
    made.containers.push(name.clone());
    let course = format!("{}:/course:ro", root.display());
    let o = Command::new("docker")
        .args([
            "run", "--rm", "--name", &name, "-v", &course, "-w", "/course",
        ])
        .args([&made.image, "lint"])
        .output()
        .unwrap();
    assert!(o.status.success(), "lab lint in the image: {}", said(&o));

    // GitLab's job for week1: its script, run by sh in the image, in a student's repository
    // (the labs and the reference submission). The engine is the socket here, where GitLab
    // has Docker-in-Docker; the host's network stands for the dind service's address.
    let wf: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root.join("classroom/gitlab/week1.yml")).unwrap(),
    )
    .unwrap();
    let job = &wf["grade-week1"];
    assert_eq!(job["image"]["entrypoint"], serde_json::json!([""]));
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let repo = tempfile::tempdir().unwrap();
    support::copy_tree(&root.join("labs"), &repo.path().join("labs"));
    support::copy_tree(&root.join("solutions/week1/submission"), repo.path());
    let name = format!("labt-rel-grade-{id}");
    made.containers.push(name.clone());
    let work = format!("{}:/builds/student", repo.path().display());
    let o = Command::new("docker")
        .args(["run", "--rm", "--name", &name, "--network", "host"])
        .args(["-v", "/var/run/docker.sock:/var/run/docker.sock"])
        .args(["-v", &work, "-w", "/builds/student", "--entrypoint", "sh"])
        .args([&made.image, "-e", "-c", &script.join("\n")])
        .output()
        .unwrap();
    let out = said(&o);
    assert!(o.status.success(), "the GitLab script in the image: {out}");
    let junit = std::fs::read_to_string(repo.path().join("grades/week1/junit.xml")).unwrap();
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(!junit.contains("<error"), "{junit}");
}
