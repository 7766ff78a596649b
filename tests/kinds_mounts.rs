//! `mounts` of a `container` check against real containers, run by `lab check` as a
//! student runs it: a tmpfs made with `--tmpfs` is a mount as much as one made with
//! `--mount type=tmpfs` (the engine lists only the second under `Mounts`), and a mount's
//! `type` tells a tmpfs from a volume.

mod support;

use std::process::Command;

use support::{IMAGE, Project};

/// Run `lab check` on a lab of `checks` (id, body); each check's status and message.
fn check(p: &Project, checks: &[(&str, String)]) -> Vec<(String, String, String)> {
    let mut text = "---\ntitle: Mounts\n---\n\n## Task\n\n".to_string();
    for (id, body) in checks {
        text.push_str(&format!(
            "```yaml check\nid: {id}\ntitle: {id}\ncontainer: {body}\n```\n\n"
        ));
    }
    let course = support::course(&[("mounts", &text)], &[]);
    let out = Command::new(support::lab_bin())
        .args(["check", "mounts", "--project", &p.name, "--format", "json"])
        .env("LAB_COURSE", course.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run lab check");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "lab check printed no report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            let f = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (f("id"), f("status"), f("message"))
        })
        .collect()
}

#[test]
fn a_tmpfs_is_a_mount_whichever_way_it_was_made() {
    let p = Project::new("mounts");
    let vol = p.volume("data");
    let flag = p.run("flag", &["--tmpfs", "/tmp", IMAGE, "sleep", "300"]);
    let flag_ro = p.run(
        "flagro",
        &["--tmpfs", "/tmp:ro,size=1m", IMAGE, "sleep", "300"],
    );
    let long = p.run(
        "long",
        &["--mount", "type=tmpfs,target=/tmp", IMAGE, "sleep", "300"],
    );
    let volume = p.run(
        "vol",
        &["-v", &format!("{vol}:/tmp"), IMAGE, "sleep", "300"],
    );
    let c = |name: &str, mounts: &str| format!("{{ container: {name}, mounts: [{mounts}] }}");
    let results = check(
        &p,
        &[
            // Right, in the forms people use.
            ("flag-path", c(&flag, "/tmp")),
            (
                "flag-type",
                c(&flag, "{ path: /tmp, type: tmpfs, read_only: false }"),
            ),
            (
                "flag-ro",
                c(&flag_ro, "{ path: /tmp, type: tmpfs, read_only: true }"),
            ),
            ("long-type", c(&long, "{ path: /tmp, type: Tmpfs }")),
            (
                "volume-type",
                c(&volume, "{ path: /tmp, type: volume, source: data }"),
            ),
            // Wrong.
            ("flag-not-ro", c(&flag, "{ path: /tmp, read_only: true }")),
            (
                "volume-not-tmpfs",
                c(&volume, "{ path: /tmp, type: tmpfs }"),
            ),
            ("tmpfs-not-volume", c(&flag, "{ path: /tmp, source: data }")),
            ("elsewhere", c(&flag, "/data")),
        ],
    );
    let got: Vec<(&str, &str)> = results
        .iter()
        .map(|(id, status, _)| (id.as_str(), status.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("flag-path", "pass"),
            ("flag-type", "pass"),
            ("flag-ro", "pass"),
            ("long-type", "pass"),
            ("volume-type", "pass"),
            ("flag-not-ro", "fail"),
            ("volume-not-tmpfs", "fail"),
            ("tmpfs-not-volume", "fail"),
            ("elsewhere", "fail"),
        ],
        "{results:#?}"
    );
    let messages: Vec<String> = results
        .iter()
        .filter(|(_, s, _)| s == "fail")
        .map(|(id, _, m)| format!("{id}: {m}"))
        .collect();
    insta::assert_snapshot!(messages.join("\n").replace(&p.name, "<project>"));
}
