//! `lab shell` driven under a real pseudo-terminal: type a command and read its output,
//! resize the window, and get the shell's exit code back.
// The test drives lab under a unix pseudo-terminal (expectrl has none on Windows).
#![cfg(unix)]

mod support;

use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::{UnixProcess, WaitStatus};
use expectrl::process::{IntoAsyncStream, Process};
use expectrl::{AsyncExpect, Regex, Session};
use support::Project;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_is_interactive_follows_resizes_and_passes_the_exit_code() {
    let p = Project::new("shell");
    let dir = support::workspace();
    std::fs::create_dir_all(dir.path().join("labs/shelllab")).expect("mkdir");
    std::fs::write(
        dir.path().join("labs/course.yaml"),
        "format_version: 1\ntitle: T\nlabs: [shelllab]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("labs/shelllab/README.md"),
        "---\ntitle: Shell\n---\n```yaml stack\nservices:\n  web: { image: busybox:1.36, command: [\"sleep\", \"3600\"] }\n```\n",
    )
    .expect("write");
    let lab = env!("CARGO_BIN_EXE_lab");
    let out = Command::new(lab)
        .args(["start", "shelllab", "--project", &p.name, "-q"])
        .current_dir(dir.path())
        .output()
        .expect("start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut cmd = Command::new(lab);
    cmd.args(["shell", "web", "--lab", "shelllab", "--project", &p.name])
        .current_dir(dir.path())
        .env("TERM", "xterm");
    let mut process = UnixProcess::spawn_command(cmd).expect("spawn under a pty");
    process.set_window_size(80, 24).expect("size");
    let stream = process
        .open_stream()
        .expect("stream")
        .into_async_stream()
        .expect("async stream");
    let mut session = Session::new((), stream).expect("session");
    session.set_expect_timeout(Some(Duration::from_secs(15)));

    session.expect(Regex("# ")).await.expect("a prompt");
    session.send("echo $((6*7))\n").await.expect("send");
    session
        .expect(Regex("\n42"))
        .await
        .expect("the command's output");

    process.set_window_size(100, 30).expect("resize");
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.send("stty size\n").await.expect("send");
    session
        .expect(Regex("30 100"))
        .await
        .expect("the new size reached the container");

    session.send("exit 3\n").await.expect("send");
    let status = tokio::task::spawn_blocking(move || process.wait())
        .await
        .expect("join")
        .expect("wait");
    match status {
        WaitStatus::Exited(_, code) => assert_eq!(code, 3, "the shell's exit code passes through"),
        other => panic!("lab shell did not exit normally: {other:?}"),
    }
}
