//! Ctrl-C at any moment: the real binary gets SIGINT at several points of `lab start`,
//! `lab check` (a check that kills a service first), `lab verify` and `lab shell`; each
//! exits 130 and leaves nothing it made: no containers, networks, volumes, helper
//! containers, child processes or temporary folders.
// Each test sends SIGINT, which Windows has no way to send a child.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Project, course, lab_bin, named_after};

/// SIGINT to `child` after `delay`; its exit code (`None`: killed by a signal).
fn interrupt_after(mut child: Child, delay: Duration) -> (Option<i32>, String) {
    std::thread::sleep(delay);
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            return (status.code(), err);
        }
        assert!(Instant::now() < deadline, "lab did not exit after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a process has ended: gone, or dead and waiting to be reaped (a zombie; who
/// reaps it after `lab` exited is up to the machine's init). Given a moment to die.
fn gone(pid: &str) -> bool {
    for _ in 0..40 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat) => {
                let state = stat
                    .rsplit(')')
                    .next()
                    .and_then(|r| r.split_whitespace().next());
                if matches!(state, Some("Z" | "X")) {
                    return true;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn lab(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(lab_bin());
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn assert_clean(p: &Project, when: &str) {
    // A create in flight when the signal came must not land afterwards either.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        p.leftovers().is_empty(),
        "{when}: labelled leftovers {:?}",
        p.leftovers()
    );
    let named = named_after(&p.name);
    assert!(named.is_empty(), "{when}: left behind {named:?}");
}

const SLOW_STACK: &str = "---
title: Slow start
---

```yaml stack
services:
  db:
    image: busybox:1.36
    command: [\"sh\", \"-c\", \"sleep 2; touch /ready; exec sleep 3600\"]
    healthcheck: { test: [\"CMD\", \"test\", \"-f\", \"/ready\"], interval: 1s, retries: 30 }
    volumes: [\"data:/data\"]
    networks: [back]
  web:
    image: busybox:1.36
    command: [\"sleep\", \"3600\"]
    depends_on: { db: { condition: service_healthy } }
    networks: [back, front]
networks:
  back: {}
  front: {}
volumes:
  data: {}
```
";

#[test]
fn start_interrupted_at_any_moment_leaves_nothing() {
    let p = Project::new("sigstart");
    let dir = course(&[("slow", SLOW_STACK)], &[]);
    for ms in [150, 500, 1200, 2200] {
        let child = lab(dir.path(), &["start", "slow", "--project", &p.name, "-q"])
            .spawn()
            .expect("spawn lab start");
        let (code, err) = interrupt_after(child, Duration::from_millis(ms));
        assert_eq!(code, Some(130), "after {ms} ms: {err}");
        assert!(err.contains("interrupted"), "after {ms} ms: {err}");
        assert_clean(&p, &format!("start interrupted after {ms} ms"));
    }
}

const NAPPER: &str = "---
title: Crash
---

```yaml stack
services:
  napper:
    image: busybox:1.36
    command: [\"sleep\", \"3600\"]
```

## Bring it back

```yaml check
id: comes-back
title: napper comes back after a crash
before: [{kill: {service: napper, signal: SIGKILL}}]
container: {service: napper, state: running}
eventually: 20s
```

```yaml check
id: slow-command
title: a command that takes its time
command: { run: \"echo $$ > child.pid; exec sleep 300\" }
timeout: 30s
```
";

fn state(name: &str) -> String {
    let out = Command::new("docker")
        .args(["inspect", "-f", "{{.State.Status}}", name])
        .output()
        .expect("docker inspect");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn check_interrupted_puts_back_what_it_changed() {
    let p = Project::new("sigcheck");
    let dir = course(&[("crash", NAPPER)], &[]);
    let out = lab(dir.path(), &["start", "crash", "--project", &p.name, "-q"])
        .output()
        .expect("start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let napper = format!("{}-napper", p.name);
    let ws = support::workspace();
    for ms in [150, 700, 2500] {
        let child = lab(
            dir.path(),
            &[
                "check",
                "crash",
                "--project",
                &p.name,
                "--workspace",
                ws.path().to_str().unwrap_or_default(),
            ],
        )
        .spawn()
        .expect("spawn lab check");
        let (code, err) = interrupt_after(child, Duration::from_millis(ms));
        assert_eq!(code, Some(130), "after {ms} ms: {err}");
        assert_eq!(
            state(&napper),
            "running",
            "after {ms} ms the crashed service was not brought back: {err}"
        );
        let helpers = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                "label=io.lab.helper",
                "--filter",
                &format!("label=io.lab.project={}", p.name),
            ])
            .output()
            .expect("docker ps");
        let helpers = String::from_utf8_lossy(&helpers.stdout).trim().to_string();
        assert!(
            helpers.is_empty(),
            "after {ms} ms a helper was left: {helpers}"
        );
        // The command check's process (its own process group) went with the run.
        if let Ok(pid) = std::fs::read_to_string(ws.path().join("child.pid")) {
            let pid = pid.trim();
            assert!(
                gone(pid),
                "after {ms} ms the command's process {pid} still runs"
            );
            let _ = std::fs::remove_file(ws.path().join("child.pid"));
        }
        let containers = named_after(&p.name);
        assert_eq!(
            containers,
            vec![
                format!("container {napper}"),
                format!("network {}-default", p.name)
            ],
            "after {ms} ms"
        );
    }
}

const VERIFIED: &str = "---
title: Verified
---

```yaml stack
services:
  web:
    image: busybox:1.36
    command: [\"sleep\", \"3600\"]
```

## Make a thing

```yaml check
id: made
title: the solution made a container
container: {container: made-by-solution, state: running}
```
";

#[test]
fn verify_interrupted_stops_the_lab_and_removes_its_folders() {
    let p = Project::new("sigverify");
    let prefix = format!("{}-", p.name);
    let project = format!("{prefix}verified");
    let solve = "#!/bin/sh\n\
        echo $$ > \"$LAB_COURSE_DIR/solve.pid\"\n\
        docker run -d --label io.lab.project=\"$LAB_PROJECT\" --name \"$LAB_PROJECT-made\" busybox:1.36 sleep 300\n\
        exec sleep 300\n";
    let dir = course(&[("verified", VERIFIED)], &[("verified", solve)]);
    let tmp = support::workspace();
    for ms in [200, 1500, 3500] {
        let child = lab(dir.path(), &["verify", "--prefix", &prefix])
            .env("TMPDIR", tmp.path())
            .spawn()
            .expect("spawn lab verify");
        let (code, err) = interrupt_after(child, Duration::from_millis(ms));
        assert_eq!(code, Some(130), "after {ms} ms: {err}");
        std::thread::sleep(Duration::from_millis(300));
        let left = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                &format!("label=io.lab.project={project}"),
            ])
            .output()
            .expect("docker ps");
        assert!(
            String::from_utf8_lossy(&left.stdout).trim().is_empty(),
            "after {ms} ms containers of {project} were left"
        );
        let named = named_after(&project);
        assert!(named.is_empty(), "after {ms} ms: left {named:?}");
        let folders: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("read tmp")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        assert!(
            folders.is_empty(),
            "after {ms} ms temp folders were left: {folders:?}"
        );
        if let Ok(pid) = std::fs::read_to_string(dir.path().join("solve.pid")) {
            let pid = pid.trim();
            assert!(gone(pid), "after {ms} ms the solution {pid} still runs");
            let _ = std::fs::remove_file(dir.path().join("solve.pid"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_interrupted_ends_its_session() {
    use expectrl::process::unix::UnixProcess;
    use expectrl::process::{IntoAsyncStream, Process};
    use expectrl::{AsyncExpect, Regex, Session};

    let p = Project::new("sigshell");
    let text = "---\ntitle: Shell\n---\n```yaml stack\nservices:\n  web: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n```\n";
    let dir = course(&[("shelllab", text)], &[]);
    let out = lab(
        dir.path(),
        &["start", "shelllab", "--project", &p.name, "-q"],
    )
    .output()
    .expect("start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut cmd = Command::new(lab_bin());
    cmd.args(["shell", "web", "--lab", "shelllab", "--project", &p.name])
        .current_dir(dir.path())
        .env("TERM", "xterm");
    let mut process = UnixProcess::spawn_command(cmd).expect("spawn under a pty");
    let stream = process
        .open_stream()
        .expect("stream")
        .into_async_stream()
        .expect("async stream");
    let mut session = Session::new((), stream).expect("session");
    session.set_expect_timeout(Some(Duration::from_secs(15)));
    session.expect(Regex("# ")).await.expect("a prompt");
    session.send("sleep 4242\n").await.expect("send");
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A signal to lab itself (keys typed go to the container, as in a real terminal).
    process
        .kill(expectrl::process::unix::Signal::SIGINT)
        .expect("SIGINT");
    let status = tokio::task::spawn_blocking(move || process.wait())
        .await
        .expect("join")
        .expect("wait");
    match status {
        expectrl::process::unix::WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("lab shell did not exit normally: {other:?}"),
    }
    // Its session (the shell and what it ran) is gone from the container.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ps = Command::new("docker")
        .args(["exec", &format!("{}-web", p.name), "ps"])
        .output()
        .expect("docker exec ps");
    let ps = String::from_utf8_lossy(&ps.stdout);
    assert!(!ps.contains("4242"), "the session lives on:\n{ps}");
    assert!(!ps.contains(" sh"), "the shell lives on:\n{ps}");
}

#[test]
fn shell_without_a_terminal_ends_with_its_input() {
    let p = Project::new("pipeshell");
    let text = "---\ntitle: Shell\n---\n```yaml stack\nservices:\n  web: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n```\n";
    let dir = course(&[("shelllab", text)], &[]);
    let out = lab(
        dir.path(),
        &["start", "shelllab", "--project", &p.name, "-q"],
    )
    .output()
    .expect("start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = Command::new(lab_bin())
        .args(["shell", "web", "--lab", "shelllab", "--project", &p.name])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"echo hi-from-pipe\nexit 4\n")
            .expect("write");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "lab shell did not end with its input"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("output");
    assert_eq!(status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stdout).contains("hi-from-pipe"));
}

#[test]
fn grade_interrupted_removes_what_the_submissions_made_and_keeps_the_rows() {
    let p = Project::new("siggrade");
    // The lab is named after the test's project: `lab grade` grades in the lab's project.
    let id = p.name.clone();
    let text = "---\ntitle: Graded\nsubmission: { files: [run.sh], run: run.sh }\n---\n\n\
        ```yaml stack\nservices:\n  app:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n```\n\n\
        ```yaml check\nid: made\ntitle: the student's container exists\ncontainer: { container: \"{ID}-made\", state: running }\n```\n"
        .replace("{ID}", &id);
    let dir = course(&[(&id, &text)], &[]);
    let subs = support::workspace();
    for s in ["ada", "bea", "cy"] {
        let d = subs.path().join(s);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("run.sh"),
            "echo $$ > \"$LAB_COURSE_DIR/run-$(basename \"$PWD\").pid\"\n\
             docker run -d --name \"$LAB_ID-made\" busybox:1.36 sleep 300\n\
             sleep 2\n",
        )
        .unwrap();
    }
    let out = support::workspace();
    let tmp = support::workspace();
    let child = lab(
        dir.path(),
        &[
            "grade",
            &id,
            "--submissions",
            subs.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--trust-submissions",
        ],
    )
    .env("TMPDIR", tmp.path())
    .spawn()
    .expect("spawn lab grade");
    // Into the second submission's script.
    let (code, err) = interrupt_after(child, Duration::from_millis(5500));
    assert_eq!(code, Some(130), "{err}");
    assert_clean(&p, "grade interrupted");
    let book = std::fs::read_to_string(out.path().join("gradebook.json")).unwrap_or_default();
    assert!(
        book.contains("\"ada\""),
        "the graded row is kept: {book}\n{err}"
    );
    let folders: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(folders.is_empty(), "temp folders were left: {folders:?}");
    for e in std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("run-") && name.ends_with(".pid") {
            let pid = std::fs::read_to_string(e.path()).unwrap();
            assert!(gone(pid.trim()), "{name}: the script still runs");
        }
    }
}
