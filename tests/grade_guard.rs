//! What a trusted script cannot get from the engine by the side doors, against the real
//! engine: another container's host folders through `--volumes-from`, and a host folder
//! by swapping a bound workspace folder for a link between `docker create` and `docker
//! start` (the engine follows it: checked by hand on Docker 20.10). Both rows are errors
//! that say why; a script that binds its own folders (one not made yet too), by `run`, by
//! `create` + `start` + `restart` and through `--volumes-from` its own container, is
//! graded as usual.

mod support;

use std::process::Command;

#[test]
fn host_folders_are_not_had_by_the_side_doors() {
    let p = support::Project::new("gguard");
    let id = p.name.clone();
    // Someone else's container on the engine that binds the host (not named after the lab,
    // not the lab's project: the batch's preflight would refuse the engine otherwise).
    let other = support::Project::new("gguardother");
    let teacher = other.run(
        "teacher",
        &["-v", "/etc:/hostetc", support::IMAGE, "sleep", "300"],
    );
    let text = "---\ntitle: Guard\nsubmission: { run: run.sh }\n---\n\n\
        ```yaml stack\nservices:\n  app:\n    image: busybox:1.36\n    command: [sleep, \"3600\"]\n```\n\n\
        ```yaml check\nid: app-runs\ntitle: app runs\ncontainer: { service: app, state: running }\n```\n";
    let dir = support::course(&[(&id, text)], &[]);
    let subs = support::workspace();
    let write = |student: &str, script: &str| {
        let d = subs.path().join(student);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("run.sh"), format!("set -eu\n{script}")).unwrap();
    };
    write(
        "borrower",
        &format!("docker run --rm --volumes-from {teacher} busybox:1.36 cat /hostetc/hostname\n"),
    );
    write(
        "swapper",
        &format!(
            "mkdir d\ndocker create --name {id}-swap -v \"$PWD/d:/d\" busybox:1.36 ls /d/etc\n\
             rmdir d\nln -s / d\ndocker start -a {id}-swap\n"
        ),
    );
    write(
        "honest",
        &format!(
            "docker run --rm -v \"$PWD/new/deep:/n\" busybox:1.36 true\n\
             mkdir out\ndocker run --rm -v \"$PWD/out:/out\" busybox:1.36 sh -c 'echo hi > /out/x'\n\
             docker create --name {id}-keep -v \"$PWD/out:/out\" busybox:1.36 cat /out/x\n\
             docker start -a {id}-keep\ndocker restart {id}-keep\n\
             docker run --rm --volumes-from {id}-keep busybox:1.36 cat /out/x\n"
        ),
    );
    let out = support::workspace();
    let o = support::lab_grade(
        dir.path(),
        &["grade", &id, "--trust-submissions"],
        (subs.path(), out.path()),
        &[],
    );
    let said = support::said(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let rows = support::gradebook_rows(out.path());
    let row = |s: &str| support::row(&rows, s).clone();
    let honest = row("honest");
    assert_eq!(honest["status"], "graded", "{honest:#}");
    assert_eq!(honest["score"], 1, "{honest:#}");
    for (s, why) in [
        ("borrower", "through --volumes-from"),
        ("swapper", "outside the submission's workspace"),
    ] {
        let r = row(s);
        assert_eq!(r["status"], "error", "{s}: {r:#}");
        let error = r["error"].as_str().unwrap_or_default();
        assert!(error.contains("was refused"), "{s}: {error}");
        assert!(error.contains(why), "{s}: {error}");
    }
    // The teacher's container is untouched; nothing of the batch is left.
    let alive = Command::new("docker")
        .args(["inspect", "-f", "{{.State.Running}}", &teacher])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
        .unwrap_or(false);
    assert!(alive, "{teacher} was stopped or removed");
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
    assert!(
        support::named_after(&id).is_empty(),
        "{:?}",
        support::named_after(&id)
    );
}
