//! `lab images` with the real binary and the real engine, on a fixture course
//! (tests/fixtures/images) whose lab pulls an image no registry has and builds one from it:
//! the base is busybox tagged under the test's project name, so removing it (an untag)
//! makes "no registry" real without touching busybox:1.36, which other tests use.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{Project, copy_tree, manifest_dir};

/// The fixture course in a temporary folder, its base image named `base`.
fn fixture(base: &str) -> tempfile::TempDir {
    let dir = support::workspace();
    copy_tree(&manifest_dir().join("tests/fixtures/images"), dir.path());
    for file in [
        "labs/classroom/README.md",
        "labs/classroom/files/app/Dockerfile",
    ] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read fixture");
        std::fs::write(&path, text.replace("@BASE@", base)).expect("write fixture");
    }
    dir
}

fn lab(course: &Path, args: &[&str]) -> Output {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let home = HOME.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    Command::new(support::lab_bin())
        .args(args)
        .current_dir(course)
        .env_remove("LAB_COURSE")
        .env("LAB_HOME", home.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run lab")
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> Output {
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    o
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker").args(args).output().expect("docker")
}

fn image_id(name: &str) -> Option<String> {
    let o = docker(&["image", "inspect", "--format", "{{.Id}}", name]);
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// The test's tag of busybox, untagged however the test ends (the project's own cleanup
/// removes `<project>-…` images too; this makes it explicit).
struct Tagged(String);

impl Drop for Tagged {
    fn drop(&mut self) {
        let _ = docker(&["rmi", &self.0]);
    }
}

/// `list --json`: name → present.
fn presence(course: &Path, project: &str) -> Vec<(String, bool)> {
    let o = ok(lab(
        course,
        &[
            "images",
            "list",
            "classroom",
            "--project",
            project,
            "--json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["version"], 1);
    v["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap_or_default().to_string(),
                i["present"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn save_remove_load_then_start_works_without_a_registry() {
    let p = Project::new("images");
    let base = format!("{}-base:1", p.name);
    let app = format!("{}-app:lab", p.name);
    let _tag = Tagged(base.clone());
    ok(docker(&["tag", support::IMAGE, &base]));
    let course = fixture(&base);
    let c = course.path();
    let out = support::workspace();
    let archive = out.path().join("course.tar");
    let archive_arg = archive.to_str().expect("utf-8 path");
    let which = ["classroom", "--project", p.name.as_str()];

    // What the course needs: the pulled base (also the build's base), the built app, the
    // helper; the app is not built yet.
    assert_eq!(
        presence(c, &p.name),
        [
            (base.clone(), true),
            (app.clone(), false),
            (support::IMAGE.to_string(), true)
        ]
    );
    let o = ok(lab(c, &[&["images", "list"][..], &which].concat()));
    let text = regex_sizes(&String::from_utf8_lossy(&o.stdout).replace(&p.name, "[project]"));
    insta::assert_snapshot!(text);

    // Saving refuses while the app is missing, and writes nothing.
    let o = lab(c, &[&["images", "save", archive_arg][..], &which].concat());
    assert_eq!(o.status.code(), Some(3), "{}", said(&o));
    assert!(said(&o).contains(&app), "{}", said(&o));
    assert!(said(&o).contains("lab images pull"), "{}", said(&o));
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), 0);

    // Pull: the base is there, the app is built.
    let o = ok(lab(c, &[&["images", "pull"][..], &which].concat()));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains(&format!("{app} (built)")), "{text}");
    assert!(text.contains(&format!("{base} (already here)")), "{text}");
    let built = image_id(&app).expect("the app was built");
    assert!(presence(c, &p.name).iter().all(|(_, here)| *here));

    // Save: one archive, nothing else beside it.
    let o = ok(lab(
        c,
        &[&["images", "save", archive_arg][..], &which].concat(),
    ));
    assert!(said(&o).contains("saved 3 images"), "{}", said(&o));
    let files: Vec<_> = std::fs::read_dir(out.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files, ["course.tar"]);

    // A machine without the images: a start fails and says how to get them.
    ok(docker(&["rmi", &app]));
    ok(docker(&["rmi", &base]));
    assert_eq!(
        presence(c, &p.name),
        [
            (base.clone(), false),
            (app.clone(), false),
            (support::IMAGE.to_string(), true)
        ]
    );
    let o = lab(c, &["start", "classroom", "--project", &p.name, "-q"]);
    assert_eq!(o.status.code(), Some(3), "{}", said(&o));
    assert!(said(&o).contains(&base), "{}", said(&o));
    assert!(said(&o).contains("lab images load FILE"), "{}", said(&o));
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());

    // Load, then start: it runs, and the app is the one saved (not rebuilt).
    let o = ok(lab(c, &["images", "load", archive_arg]));
    for name in [&base, &app] {
        assert!(said(&o).contains(name.as_str()), "{}", said(&o));
    }
    assert_eq!(image_id(&app).as_deref(), Some(built.as_str()));
    ok(lab(c, &["start", "classroom", "--project", &p.name, "-q"]));
    assert_eq!(image_id(&app).as_deref(), Some(built.as_str()));
    let o = ok(lab(c, &["check", "classroom", "--project", &p.name]));
    assert!(said(&o).contains("1/1"), "{}", said(&o));
    ok(lab(c, &["stop", "classroom", "--project", &p.name]));
}

/// Sizes depend on the engine's copy of busybox (`yes, 2.0 MB` → `yes, [size]`), and the
/// columns' widths on the project's name: cells are kept, padding made two spaces.
fn regex_sizes(text: &str) -> String {
    let size = regex::Regex::new(r"yes, [0-9.]+ [kMG]?B").expect("regex");
    let pad = regex::Regex::new(r" {2,}").expect("regex");
    pad.replace_all(&size.replace_all(text, "yes, [size]"), "  ")
        .into_owned()
}

#[test]
fn a_wrong_file_is_refused_with_its_reason() {
    support::engine();
    let course = fixture("busybox:1.36");
    let c = course.path();
    let dir = support::workspace();
    let bogus = dir.path().join("notes.tar");
    std::fs::write(&bogus, "these are not images\n".repeat(100)).expect("write");
    let o = lab(c, &["images", "load", bogus.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", said(&o));
    assert!(said(&o).contains("is not an image archive"), "{}", said(&o));

    let missing = dir.path().join("nowhere.tar");
    let o = lab(c, &["images", "load", missing.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", said(&o));
    assert!(said(&o).contains("cannot read"), "{}", said(&o));

    let o = lab(
        c,
        &["images", "list", "--project", "p", "classroom", "classroom"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", said(&o));
}

/// Ctrl-C at any moment of a save: exit 130 and nothing in the folder, or (when the save
/// was already done) exit 0 and the whole archive; never a partial file.
#[cfg(unix)]
#[test]
fn an_interrupted_save_leaves_nothing() {
    let p = Project::new("imgsig");
    let base = format!("{}-base:1", p.name);
    let _tag = Tagged(base.clone());
    ok(docker(&["tag", support::IMAGE, &base]));
    let course = fixture(&base);
    let c = course.path();
    let which = ["classroom", "--project", p.name.as_str()];
    ok(lab(c, &[&["images", "pull"][..], &which].concat()));
    let out = support::workspace();
    let archive = out.path().join("course.tar");
    for ms in [30, 150, 400] {
        let child = Command::new(support::lab_bin())
            .args(["images", "save", archive.to_str().expect("utf-8")])
            .args(which)
            .current_dir(c)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn lab images save");
        std::thread::sleep(std::time::Duration::from_millis(ms));
        let pid = i32::try_from(child.id()).expect("pid");
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let o = child.wait_with_output().expect("wait");
        let files: Vec<_> = std::fs::read_dir(out.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        match o.status.code() {
            Some(130) => assert!(files.is_empty(), "after {ms} ms: {files:?}"),
            Some(0) => {
                assert_eq!(files, ["course.tar"], "after {ms} ms");
                std::fs::remove_file(&archive).expect("remove");
            }
            other => panic!("after {ms} ms: exit {other:?}: {}", said(&o)),
        }
    }
}
