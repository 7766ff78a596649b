//! An image the lab built that a submission took the tag from (`docker tag … <lab>-web:lab`
//! while the lab's container still ran it) is left untagged; once the submission's
//! containers are gone, nothing can use it and `lab grade` removes it: one of the lab's own
//! tags named it before the submission. Other untagged images are not touched, even one
//! that carries the lab's build label.

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
    // Untagged images that are not the lab's builds: someone else's, and one that carries
    // the lab's build label without being the lab's (an image built FROM a lab image
    // inherits it). Neither is ours.
    let stranger = |label: &str| {
        let d = support::workspace();
        std::fs::write(
            d.path().join("Dockerfile"),
            format!("FROM busybox:1.36\nLABEL {label}\n"),
        )
        .unwrap();
        let (built, image) = docker(&["build", "-q", d.path().to_str().unwrap()]);
        assert!(built, "could not build an image labelled {label}");
        image
    };
    let stranger_id = stranger(&format!("stranger={id}"));
    let child = stranger(&format!("io.lab.context-hash={id}"));
    std::fs::write(
        s.join("run.sh"),
        format!(
            "docker image inspect -f '{{{{.Id}}}}' {id}-web:lab > {}\n\
             docker tag busybox:1.36 {id}-web:lab\n",
            id_file.display()
        ),
    )
    .unwrap();

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
    let said = support::said(&o);
    // Whatever the outcome, nothing of the test stays.
    let read = |f: &std::path::Path| {
        std::fs::read_to_string(f)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let lab_built = read(&id_file);
    let stranger_left = docker(&["image", "inspect", &stranger_id]).0;
    let child_left = docker(&["image", "inspect", &child]).0;
    let lab_built_left = !lab_built.is_empty() && docker(&["image", "inspect", &lab_built]).0;
    for img in [&child, &stranger_id, &lab_built] {
        if !img.is_empty() {
            docker(&["rmi", img]);
        }
    }
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        lab_built.starts_with("sha256:"),
        "run.sh saw no image: {said}"
    );
    assert!(
        !lab_built_left,
        "the lab's untagged build is still there: {lab_built}\n{said}"
    );
    assert!(
        stranger_left,
        "an untagged image lab did not build was removed"
    );
    assert!(
        child_left,
        "an untagged image with the lab's build label, not the lab's, was removed"
    );
}
