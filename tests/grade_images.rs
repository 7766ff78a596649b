//! An image the lab built that a submission took the tag from (`docker tag … <lab>-web:lab`
//! while the lab's container still ran it) is left untagged; once the submission's
//! containers are gone, nothing can use it and `lab grade` removes it, as it carries the
//! lab's build label. Other untagged images are not touched.

mod support;

use std::process::Command;

fn docker(args: &[&str]) -> (bool, String) {
    let o = Command::new("docker").args(args).output().expect("docker");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).trim().to_string(),
    )
}

#[test]
fn a_build_whose_tag_a_submission_moved_is_removed() {
    let p = support::Project::new("gimages");
    let id = p.name.clone();
    let text = "---\ntitle: Images\nsubmission: { run: run.sh }\n---\n\n\
        ```yaml stack\nservices:\n  web:\n    build: { context: files/web }\n```\n\n\
        ```yaml check\nid: web-runs\ntitle: web runs\ncontainer: { service: web, state: running }\n```\n";
    let dir = support::course(&[(&id, text)], &[]);
    let web = dir.path().join("labs").join(&id).join("files/web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("Dockerfile"),
        format!("FROM busybox:1.36\nLABEL test={id}\nCMD [\"sleep\", \"3600\"]\n"),
    )
    .unwrap();
    // The submission notes which image the lab built, then moves its tag to busybox.
    let seen = support::workspace();
    let id_file = seen.path().join("built");
    let subs = support::workspace();
    let s = subs.path().join("mover");
    std::fs::create_dir_all(&s).unwrap();
    std::fs::write(
        s.join("run.sh"),
        format!(
            "docker image inspect -f '{{{{.Id}}}}' {id}-web:lab > {}\ndocker tag busybox:1.36 {id}-web:lab\n",
            id_file.display()
        ),
    )
    .unwrap();
    // An untagged image the lab did not build: not ours to remove.
    let stranger = support::workspace();
    std::fs::write(
        stranger.path().join("Dockerfile"),
        format!("FROM busybox:1.36\nLABEL stranger={id}\n"),
    )
    .unwrap();
    let (built, stranger_id) = docker(&["build", "-q", stranger.path().to_str().unwrap()]);
    assert!(built, "could not build the stranger image");

    let out = support::workspace();
    let o = Command::new(support::lab_bin())
        .args(["grade", &id, "--trust-submissions", "--submissions"])
        .arg(subs.path())
        .arg("--out")
        .arg(out.path())
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let stranger_left = docker(&["image", "inspect", &stranger_id]).0;
    docker(&["rmi", &stranger_id]);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let lab_built = std::fs::read_to_string(&id_file).unwrap_or_default();
    let lab_built = lab_built.trim();
    assert!(
        lab_built.starts_with("sha256:"),
        "run.sh saw no image: {said}"
    );
    let still_there = docker(&["image", "inspect", lab_built]).0;
    docker(&["rmi", lab_built]);
    assert!(
        !still_there,
        "the lab's untagged build is still there: {lab_built}\n{said}"
    );
    assert!(
        stranger_left,
        "an untagged image lab did not build was removed"
    );
}
