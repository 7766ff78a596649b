//! The `file` and `logs` kinds on what students really make: files reached through symbolic
//! links (the engine's archive gives the link itself) or on a tmpfs (which the archive does
//! not reach), logs coloured for a terminal, and logs of thousands of lines or megabytes.

mod support;

use lab::checks::{CheckResult, Status};
use lab::model::Lab;
use support::checks::{assert_statuses, run_on_engine};
use support::{IMAGE, Project};

const STACK: &str = "```yaml stack\nservices:\n  app: { image: busybox:1.36 }\n  tty: { image: busybox:1.36 }\n  chatty: { image: busybox:1.36 }\n  long: { image: busybox:1.36 }\n  linked: { image: busybox:1.36 }\n  nested: { image: busybox:1.36 }\n  hardened: { image: busybox:1.36 }\n  split: { image: busybox:1.36 }\n  huge: { image: busybox:1.36 }\n  paused: { image: busybox:1.36 }\n```\n";

fn lab(checks: &[&str]) -> Lab {
    support::checks::test_lab(STACK, checks)
}

async fn grade(p: &Project, lab: &Lab) -> Vec<CheckResult> {
    let ws = support::workspace();
    run_on_engine(&p.name, lab, ws.path()).await
}

/// `cat` and `stat` follow a link, and so does the check: absolute and relative links,
/// a link to a link, a link to a folder; one that leads nowhere is not there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_read_through_its_links() {
    let p = Project::new("filelinks");
    let setup = "mkdir -p /srv/app/v2 /etc/site && echo 'listen 8080' > /srv/app/v2/site.conf \
        && chmod 640 /srv/app/v2/site.conf \
        && ln -s /srv/app/v2 /srv/app/current \
        && ln -s ../../srv/app/current/site.conf /etc/site/enabled.conf \
        && ln -s enabled.conf /etc/site/again.conf \
        && ln -s /nowhere /etc/site/broken.conf \
        && ln -s loop.conf /etc/site/loop.conf \
        && sleep 3600";
    let app = p.run("app", &[IMAGE, "sh", "-c", setup]);
    // The links exist before the checks look.
    let ready = support::exec_succeeds_soon(&app, &["test", "-L", "/etc/site/loop.conf"]);
    assert!(ready, "the links were never made");
    let results = grade(
        &p,
        &lab(&[
            "id: absolute\ntitle: a\nfile: { service: app, path: /srv/app/current/site.conf, contains: 'listen 8080' }",
            "id: relative\ntitle: b\nfile: { service: app, path: /etc/site/enabled.conf, contains: 'listen 8080', mode: '0640' }",
            "id: twice\ntitle: c\nfile: { service: app, path: /etc/site/again.conf, contains: 'listen 8080' }",
            "id: wrong-content\ntitle: d\nfile: { service: app, path: /etc/site/enabled.conf, contains: 'listen 9090' }",
            "id: broken-absent\ntitle: e\nfile: { service: app, path: /etc/site/broken.conf, exists: false }",
            "id: broken-present\ntitle: f\nfile: { service: app, path: /etc/site/broken.conf }",
            "id: loop\ntitle: g\nfile: { service: app, path: /etc/site/loop.conf }",
        ]),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("absolute", Status::Pass),
            ("relative", Status::Pass),
            ("twice", Status::Pass),
            ("wrong-content", Status::Fail),
            ("broken-absent", Status::Pass),
            ("broken-present", Status::Fail),
            ("loop", Status::Error),
        ],
    );
}

/// A program on a terminal (`-t`) colours its words; the check reads the words. Logs longer
/// than a check holds are read to their end and their start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_read_as_a_person_reads_them() {
    let p = Project::new("logsread");
    p.run(
        "tty",
        &[
            "-t",
            IMAGE,
            "sh",
            "-c",
            "printf 'INFO: Uvicorn running on \\033[1mhttp://0.0.0.0:8000\\033[0m\\tready\\n'; sleep 3600",
        ],
    );
    // About 1.5 MiB in 300 lines, then the line the check looks for.
    let flood = "i=0; while [ $i -lt 300 ]; do head -c 5000 /dev/zero | tr '\\0' x; echo; \
        i=$((i + 1)); done; echo 'migrations done'; sleep 3600";
    p.run("chatty", &[IMAGE, "sh", "-c", flood]);
    let results = grade(
        &p,
        &lab(&[
            "id: coloured\ntitle: a\neventually: 5s\nlogs: { service: tty, contains: \"running on http://0.0.0.0:8000\\tready\" }",
            "id: coloured-wrong\ntitle: b\nlogs: { service: tty, contains: \"running on https://\" }",
            "id: newest\ntitle: c\neventually: 10s\nlogs: { service: chatty, contains: migrations done }",
            "id: oldest-read\ntitle: d\nneeds: [newest]\nlogs: { service: chatty, contains: { not: { contains: migrations failed } } }",
            "id: window-unsure\ntitle: e\nneeds: [newest]\nlogs: { service: chatty, tail: 300, contains: { not: { contains: migrations failed } } }",
        ]),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("coloured", Status::Pass),
            ("coloured-wrong", Status::Fail),
            ("newest", Status::Pass),
            // Its oldest part is read too (scanned as it streams): not there.
            ("oldest-read", Status::Pass),
            // The author's window of 300 lines is over the 1 MiB a check holds: its oldest
            // part was dropped and could hold it.
            ("window-unsure", Status::Error),
        ],
    );
}

/// A tmpfs is out of the engine's archive's reach (it answers "not found"); the check reads
/// the file as `cat` in the container does. A path through a file is not there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_on_a_tmpfs_is_read() {
    let p = Project::new("filetmpfs");
    let setup = "mkdir -p /run/app && echo 42 > /run/app/pid && echo cached > /cache/data.txt \
        && chmod 600 /cache/data.txt && ln -s /run/app/pid /etc/app.pid && sleep 3600";
    let app = p.run(
        "app",
        &[
            "--tmpfs",
            "/run",
            "--mount",
            "type=tmpfs,dst=/cache",
            IMAGE,
            "sh",
            "-c",
            setup,
        ],
    );
    let ready = support::exec_succeeds_soon(&app, &["test", "-L", "/etc/app.pid"]);
    assert!(ready, "the files were never made");
    let results = grade(
        &p,
        &lab(&[
            "id: tmpfs\ntitle: a\nfile: { service: app, path: /run/app/pid, contains: '42' }",
            "id: mount\ntitle: b\nfile: { service: app, path: /cache/data.txt, contains: cached, mode: '0600' }",
            "id: link\ntitle: c\nfile: { service: app, path: /etc/app.pid, contains: '42' }",
            "id: wrong-content\ntitle: d\nfile: { service: app, path: /run/app/pid, contains: '43' }",
            "id: absent\ntitle: e\nfile: { service: app, path: /run/app/none, exists: false }",
            "id: present\ntitle: f\nfile: { service: app, path: /run/app/none }",
            "id: there\ntitle: g\nfile: { service: app, path: /run/app/pid, exists: false }",
            "id: through-a-file\ntitle: h\nfile: { service: app, path: /etc/passwd/x, exists: false }",
        ]),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("tmpfs", Status::Pass),
            ("mount", Status::Pass),
            ("link", Status::Pass),
            ("wrong-content", Status::Fail),
            ("absent", Status::Pass),
            ("present", Status::Fail),
            ("there", Status::Fail),
            ("through-a-file", Status::Pass),
        ],
    );
}

/// With no `tail`, a check reads the logs `docker logs` shows: an error printed before
/// 3000 more lines is still there. The engine counts `tail` over both streams, so a stderr
/// line followed by a flood on stdout is found too. A `tail` the author gives is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_longer_than_the_first_read_are_read_whole() {
    let p = Project::new("logswhole");
    p.run(
        "long",
        &[
            IMAGE,
            "sh",
            "-c",
            "echo 'error: disk full' >&2; seq 3000 | sed 's/^/line /'; sleep 3600",
        ],
    );
    let results = grade(
        &p,
        &lab(&[
            "id: last\ntitle: a\neventually: 10s\nlogs: { service: long, contains: line 3000 }",
            "id: stderr\ntitle: b\nneeds: [last]\nlogs: { service: long, stream: stderr, contains: disk full }",
            "id: no-error\ntitle: c\nneeds: [last]\nlogs: { service: long, contains: { not: { contains: disk full } } }",
            "id: first-line\ntitle: d\nneeds: [last]\nlogs: { service: long, stream: stdout, matches: '(?m)^line 5$' }",
            "id: tail-given\ntitle: e\nneeds: [last]\nlogs: { service: long, tail: 100, contains: { not: { contains: disk full } } }",
        ]),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("last", Status::Pass),
            ("stderr", Status::Pass),
            ("no-error", Status::Fail),
            ("first-line", Status::Pass),
            ("tail-given", Status::Pass),
        ],
    );
}

/// Where only the kernel knows a path ends on a tmpfs: through a linked folder (many
/// images have `/var/run -> /run`), over a file of the image that the tmpfs hides, in
/// /dev/shm; a volume inside a tmpfs keeps its files when the container stops; a file
/// only its own user may read in a container without capabilities.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tmpfs_is_seen_as_the_container_sees_it() {
    let p = Project::new("tmpfsseen");
    let image = support::Images(vec![format!("{}-img:1", p.name)]);
    support::build(
        &image.0[0],
        "FROM busybox:1.36\nRUN mkdir -p /run && echo old > /run/hidden && ln -s /run /var/run\n",
    );
    let linked = p.run(
        "linked",
        &[
            "--tmpfs",
            "/run",
            &image.0[0],
            "sh",
            "-c",
            "mkfifo /run/pipe && echo 42 > /var/run/app.pid && echo shared > /dev/shm/seg && sleep 3600",
        ],
    );
    let volume = format!("{}-keep", p.name);
    support::docker_ok(&[
        "volume",
        "create",
        "--label",
        &format!("io.lab.project={}", p.name),
        &volume,
    ]);
    let nested = p.run(
        "nested",
        &[
            "--tmpfs",
            "/data",
            "-v",
            &format!("{volume}:/data/keep"),
            IMAGE,
            "sh",
            "-c",
            "echo kept > /data/keep/x && echo lost > /data/y && sleep 3600",
        ],
    );
    p.run(
        "hardened",
        &[
            "--read-only",
            "--cap-drop",
            "ALL",
            "--user",
            "1000",
            "--tmpfs",
            "/tmp:mode=1777",
            IMAGE,
            "sh",
            "-c",
            "mkdir -m 700 /tmp/own && echo secret > /tmp/own/key && chmod 600 /tmp/own/key && sleep 3600",
        ],
    );
    assert!(support::exec_succeeds_soon(
        &linked,
        &["test", "-f", "/dev/shm/seg"]
    ));
    assert!(support::exec_succeeds_soon(
        &nested,
        &["test", "-f", "/data/y"]
    ));
    let paused = p.run(
        "paused",
        &[
            "--tmpfs",
            "/data",
            IMAGE,
            "sh",
            "-c",
            "echo x > /data/f && sleep 3600",
        ],
    );
    assert!(support::exec_succeeds_soon(
        &paused,
        &["test", "-f", "/data/f"]
    ));
    support::docker_ok(&["stop", "-t", "0", &nested]);
    support::docker_ok(&["pause", &paused]);
    let results = grade(
        &p,
        &lab(&[
            "id: through-link\ntitle: a\nfile: { service: linked, path: /var/run/app.pid, contains: '42' }",
            "id: through-link-there\ntitle: b\nfile: { service: linked, path: /var/run/app.pid, exists: false }",
            "id: hidden\ntitle: c\nfile: { service: linked, path: /run/hidden, exists: false }",
            "id: shm\ntitle: d\nfile: { service: linked, path: /dev/shm/seg, exists: false }",
            "id: kept\ntitle: e\nfile: { service: nested, path: /data/keep/x, contains: kept }",
            "id: lost\ntitle: f\nfile: { service: nested, path: /data/y, exists: false }",
            "id: own-user\ntitle: g\neventually: 5s\nfile: { service: hardened, path: /tmp/own/key, contains: secret, mode: '0600' }",
            // A pipe is there; reading it would never end.
            "id: pipe\ntitle: h\nfile: { service: linked, path: /run/pipe }",
            // A paused container's layers are read as ever; its tmpfs waits for it to run.
            "id: paused-layer\ntitle: i\nfile: { service: paused, path: /etc/passwd, contains: root }",
            "id: paused-tmpfs\ntitle: j\nfile: { service: paused, path: /data/f, exists: false }",
        ]),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("through-link", Status::Pass),
            ("through-link-there", Status::Fail),
            ("hidden", Status::Pass),
            ("shm", Status::Fail),
            ("kept", Status::Pass),
            ("lost", Status::Pass),
            ("own-user", Status::Pass),
            ("pipe", Status::Pass),
            ("paused-layer", Status::Pass),
            ("paused-tmpfs", Status::Error),
        ],
    );
}

/// The engine stores a line over 16 KiB in parts and counts each part for `tail`; logs of
/// megabytes are searched to their first line, without a verdict left to a window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lines_and_megabytes_of_logs_are_read_to_their_start() {
    let p = Project::new("logsbig");
    let split = p.run(
        "split",
        &[
            IMAGE,
            "sh",
            "-c",
            "echo MARK-FIRST; seq 3000; head -c 40000 /dev/zero | tr '\\0' x; echo; echo MARK-LAST; sleep 3600",
        ],
    );
    // About 6 MB in 80-byte lines, between two marks.
    let huge = p.run(
        "huge",
        &[
            IMAGE,
            "sh",
            "-c",
            "echo MARK-FIRST; yes 'a line of the logs, long enough to make megabytes of them quickly......' | head -n 80000; echo MARK-LAST; sleep 3600",
        ],
    );
    let done = |name: &str| {
        support::exec_succeeds_soon(name, &["true"])
            && (0..100).any(|_| {
                let out = std::process::Command::new("docker")
                    .args(["logs", "--tail", "1", name])
                    .output()
                    .expect("docker logs");
                let ok = String::from_utf8_lossy(&out.stdout).contains("MARK-LAST");
                if !ok {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                ok
            })
    };
    assert!(done(&split) && done(&huge), "the logs were never written");
    let results = grade(
        &p,
        &lab(&[
            "id: split-first\ntitle: a\nlogs: { service: split, contains: MARK-FIRST }",
            "id: split-not-first\ntitle: b\nlogs: { service: split, contains: { not: { contains: MARK-FIRST } } }",
            "id: huge-first\ntitle: c\nlogs: { service: huge, contains: { all: [MARK-FIRST, MARK-LAST] } }",
            "id: huge-no-panic\ntitle: d\nlogs: { service: huge, contains: { not: { contains: panic } } }",
            "id: huge-not-first\ntitle: e\nlogs: { service: huge, contains: { not: { contains: MARK-FIRST } } }",
            "id: huge-missing\ntitle: f\nlogs: { service: huge, contains: MARK-MIDDLE }",
            // Settled by the last lines: not read further.
            "id: huge-any\ntitle: g\nlogs: { service: huge, contains: { any: [MARK-LAST, MARK-MIDDLE] } }",
            "id: huge-not-last\ntitle: h\nlogs: { service: huge, contains: { not: { contains: MARK-LAST } } }",
        ]),
    )
    .await;
    assert_statuses(
        &results,
        &[
            ("split-first", Status::Pass),
            ("split-not-first", Status::Fail),
            ("huge-first", Status::Pass),
            ("huge-no-panic", Status::Pass),
            ("huge-not-first", Status::Fail),
            ("huge-missing", Status::Fail),
            ("huge-any", Status::Pass),
            ("huge-not-last", Status::Fail),
        ],
    );
}
