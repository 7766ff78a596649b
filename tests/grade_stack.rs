//! A submission that is a stack file: applied in the lab's project under the safety
//! policy, labelled like the lab's own services (so it goes with the lab), graded; a stack
//! that asks for a privileged container or the host's files is refused with the reason in
//! the student's row, and the next student is graded as if it never happened.

mod support;

#[test]
fn submitted_stacks_are_applied_under_the_policy() {
    let p = support::Project::new("gstack");
    let id = p.name.clone();
    let text = "---\ntitle: Stacks\nsubmission: { files: [stack.yaml], stack: stack.yaml }\n---\n\n\
        ```yaml stack\nservices:\n  db:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n```\n\n\
        ```yaml check\nid: web-runs\ntitle: the submitted web service runs\npoints: 2\ncontainer: { service: web, state: running }\n```\n";
    let dir = support::course(&[(&id, text)], &[]);
    let subs = support::workspace();
    let write = |student: &str, stack: &str| {
        let d = subs.path().join(student);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("stack.yaml"), stack).unwrap();
    };
    write(
        "good",
        "services:\n  web:\n    image: busybox:1.36\n    command: [\"httpd\", \"-f\", \"-p\", \"8080\"]\n",
    );
    write(
        "privileged",
        "services:\n  web:\n    image: busybox:1.36\n    privileged: true\n    command: [\"sleep\", \"60\"]\n",
    );
    write(
        "host-files",
        "services:\n  web:\n    image: busybox:1.36\n    volumes: [\"/etc:/host-etc\"]\n    command: [\"sleep\", \"60\"]\n",
    );
    write("broken", "services:\n  web:\n    imagee: busybox:1.36\n");
    // Saved by a Windows editor: UTF-16 with its byte-order mark, CRLF line ends.
    let windows = subs.path().join("windows");
    std::fs::create_dir_all(&windows).unwrap();
    let text = "services:\r\n  web:\r\n    image: busybox:1.36\r\n    command: [\"httpd\", \"-f\", \"-p\", \"8080\"]\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(windows.join("stack.yaml"), utf16).unwrap();
    let out = support::workspace();
    let o = support::lab_grade(dir.path(), &["grade", &id], (subs.path(), out.path()), &[]);
    let said = support::said(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let rows = support::gradebook_rows(out.path());
    let row = |s: &str| support::row(&rows, s).clone();
    assert_eq!(row("good")["status"], "graded", "{said}");
    assert_eq!(row("good")["score"], 2, "{said}");
    assert_eq!(row("windows")["status"], "graded", "{said}");
    assert_eq!(row("windows")["score"], 2, "{:#}", row("windows"));
    for (s, why) in [
        ("privileged", "privileged"),
        ("host-files", "/etc"),
        ("broken", "imagee"),
    ] {
        let r = row(s);
        assert_eq!(r["status"], "error", "{s}: {r:#}");
        let error = r["error"].as_str().unwrap_or_default();
        assert!(error.contains("stack.yaml was refused"), "{s}: {error}");
        assert!(error.contains(why), "{s}: {error}");
    }
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
    assert!(support::named_after(&id).is_empty());
}
