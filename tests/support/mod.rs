//! Shared by the tests that talk to the real engine: the engine must answer and the test
//! image must exist; each test works in its own project and removes what it made, also
//! when it fails (the guard's Drop runs during a panic's unwinding, and it calls the
//! docker CLI synchronously, so no async runtime is needed for it).

#![allow(dead_code)]

pub mod checks;
pub mod release;
pub mod stacks;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const IMAGE: &str = "busybox:1.36";

/// Make sure the engine answers and busybox:1.36 exists (built from busybox-static when no
/// registry answers). Once per test binary.
pub fn engine() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for script in ["scripts/ensure-engine.sh", "scripts/ensure-busybox.sh"] {
            let status = Command::new("bash")
                .arg(root.join(script))
                .status()
                .expect("run setup script");
            assert!(
                status.success(),
                "{script} failed: the tests need a Docker engine and {IMAGE}"
            );
        }
    });
}

/// A project of one test: a unique name, and everything labelled with it is removed on drop.
pub struct Project {
    pub name: String,
}

impl Project {
    pub fn new(test: &str) -> Project {
        engine();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("labt-{test}-{}-{:x}", std::process::id(), nanos & 0xffff);
        let p = Project { name };
        p.cleanup();
        p
    }

    /// `docker run -d` with the project's labels for `service`, named `<project>-<service>`.
    pub fn run(&self, service: &str, args: &[&str]) -> String {
        let name = format!("{}-{service}", self.name);
        let mut cmd = Command::new("docker");
        cmd.args(["run", "-d", "--name", &name])
            .args(["--label", &format!("io.lab.project={}", self.name)])
            .args(["--label", &format!("io.lab.service={service}")])
            .args(["--label", "io.lab.lab=testlab"])
            .args(args);
        let out = cmd.output().expect("docker run");
        assert!(
            out.status.success(),
            "docker run {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        name
    }

    /// A labelled network `<project>-<name>`.
    pub fn network(&self, name: &str, extra: &[&str]) -> String {
        let full = format!("{}-{name}", self.name);
        docker(
            &[
                "network",
                "create",
                "--label",
                &format!("io.lab.project={}", self.name),
            ],
            extra,
            &full,
        );
        full
    }

    /// A labelled volume `<project>-<name>`.
    pub fn volume(&self, name: &str) -> String {
        let full = format!("{}-{name}", self.name);
        docker(
            &[
                "volume",
                "create",
                "--label",
                &format!("io.lab.project={}", self.name),
            ],
            &[],
            &full,
        );
        full
    }

    /// Remove every container, network and volume labelled with this project.
    pub fn cleanup(&self) {
        let label = format!("label=io.lab.project={}", self.name);
        let ids = |args: &[&str]| -> Vec<String> {
            Command::new("docker")
                .args(args)
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .split_whitespace()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let containers = ids(&["ps", "-aq", "--filter", &label]);
        if !containers.is_empty() {
            let _ = Command::new("docker")
                .args(["rm", "-f", "-v"])
                .args(&containers)
                .output();
        }
        let nets = ids(&["network", "ls", "-q", "--filter", &label]);
        if !nets.is_empty() {
            let _ = Command::new("docker")
                .args(["network", "rm"])
                .args(&nets)
                .output();
        }
        let vols = ids(&["volume", "ls", "-q", "--filter", &label]);
        if !vols.is_empty() {
            let _ = Command::new("docker")
                .args(["volume", "rm", "-f"])
                .args(&vols)
                .output();
        }
        // Images built for the project are named after it (`<project>-app:lab`).
        let prefix = format!("{}-", self.name);
        let images: Vec<String> = ids(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .into_iter()
            .filter(|i| i.starts_with(&prefix))
            .collect();
        if !images.is_empty() {
            let _ = Command::new("docker")
                .args(["rmi", "-f"])
                .args(&images)
                .output();
        }
    }

    /// What is still labelled with this project (should be nothing after cleanup).
    pub fn leftovers(&self) -> Vec<String> {
        let label = format!("label=io.lab.project={}", self.name);
        let mut all = Vec::new();
        for kind in [
            &["ps", "-aq"][..],
            &["network", "ls", "-q"][..],
            &["volume", "ls", "-q"][..],
        ] {
            let out = Command::new("docker")
                .args(kind)
                .args(["--filter", &label])
                .output()
                .expect("docker ls");
            all.extend(
                String::from_utf8_lossy(&out.stdout)
                    .split_whitespace()
                    .map(str::to_string),
            );
        }
        all
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        self.cleanup();
    }
}

fn docker(args: &[&str], extra: &[&str], name: &str) {
    docker_ok(&[args, extra, &[name]].concat());
}

/// `docker ARGS`, which must succeed: the test fails with what docker said otherwise.
pub fn docker_ok(args: &[&str]) {
    let out = Command::new("docker").args(args).output().expect("docker");
    assert!(out.status.success(), "docker {args:?}: {}", said(&out));
}

/// Images (or tags) a test made, removed when it ends, passed or failed.
pub struct Images(pub Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        // The containers run by these names go first: a tag removed while a container uses
        // its image leaves the image behind, untagged. (By the name they were run by, not
        // `ancestor=`, which matches every container of the same image, other tests' too.)
        let listed = Command::new("docker")
            .args(["ps", "-a", "--format", "{{.ID}} {{.Image}}"])
            .output();
        if let Ok(o) = listed {
            let ids: Vec<String> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| {
                    let (id, image) = l.split_once(' ')?;
                    self.0.iter().any(|t| t == image).then(|| id.to_string())
                })
                .collect();
            if !ids.is_empty() {
                let _ = Command::new("docker")
                    .args(["rm", "-f", "-v"])
                    .args(&ids)
                    .output();
            }
        }
        let _ = Command::new("docker")
            .args(["rmi", "-f"])
            .args(&self.0)
            .output();
    }
}

/// A fresh workspace folder.
pub fn workspace() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Containers, networks and volumes whose names start with this prefix (what a run may
/// have left without labels).
pub fn named_after(prefix: &str) -> Vec<String> {
    let mut all = Vec::new();
    for (kind, args) in [
        ("container", &["ps", "-a", "--format", "{{.Names}}"][..]),
        ("network", &["network", "ls", "--format", "{{.Name}}"][..]),
        ("volume", &["volume", "ls", "--format", "{{.Name}}"][..]),
    ] {
        let out = Command::new("docker")
            .args(args)
            .output()
            .expect("docker ls");
        all.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|n| n.starts_with(prefix))
                .map(|n| format!("{kind} {n}")),
        );
    }
    all
}

/// A course in a temporary folder: `labs/course.yaml` listing the labs given as (id,
/// README.md text), and `solutions/<id>/solve.sh` for each solution given.
pub fn course(labs: &[(&str, &str)], solutions: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = workspace();
    let ids: Vec<&str> = labs.iter().map(|(id, _)| *id).collect();
    std::fs::create_dir_all(dir.path().join("labs")).expect("mkdir");
    std::fs::write(
        dir.path().join("labs/course.yaml"),
        format!(
            "format_version: 1\ntitle: Test\nlabs: [{}]\n",
            ids.join(", ")
        ),
    )
    .expect("write course.yaml");
    for (id, text) in labs {
        let d = dir.path().join("labs").join(id);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("README.md"), text).expect("write lab");
    }
    for (id, text) in solutions {
        let d = dir.path().join("solutions").join(id);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("solve.sh"), text).expect("write solution");
    }
    dir
}

/// `docker build -q -t TAG -` of this Dockerfile (no context): the image's id.
pub fn build(tag: &str, dockerfile: &str) -> String {
    let out = Command::new("docker")
        .args(["build", "-q", "-t", tag, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .expect("stdin")
                .write_all(dockerfile.as_bytes())?;
            c.wait_with_output()
        })
        .expect("docker build");
    assert!(out.status.success(), "docker build: {}", said(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// What a command printed, stdout then stderr: the message of an assertion about it.
pub fn said(o: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The rows of the gradebook `lab grade --out DIR` wrote in `out`.
pub fn gradebook_rows(out: &Path) -> Vec<serde_json::Value> {
    let book: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("gradebook.json")).unwrap())
            .unwrap();
    book["students"].as_array().unwrap().clone()
}

/// A student's row among `rows`.
pub fn row<'a>(rows: &'a [serde_json::Value], student: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["student"] == student)
        .unwrap_or_else(|| panic!("no row for {student}: {rows:#?}"))
}

/// The `lab` binary, to run as a student would.
pub fn lab_bin() -> &'static str {
    env!("CARGO_BIN_EXE_lab")
}

/// Copy a folder's files and folders into `to` (made if missing).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Whether `cmd` succeeds in `container` within 5 s (tried every 100 ms): a test waits with
/// it until a container has made what the checks are about to look at.
pub fn exec_succeeds_soon(container: &str, cmd: &[&str]) -> bool {
    (0..50).any(|_| {
        let ok = Command::new("docker")
            .arg("exec")
            .arg(container)
            .args(cmd)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        ok
    })
}

/// `lab grade` as an instructor runs it in `cwd`: `args` (the lab and options), the class
/// in `subs`, the gradebook into `out`, with `env` added.
pub fn lab_grade(
    cwd: &Path,
    args: &[&str],
    (subs, out): (&Path, &Path),
    env: &[(&str, &str)],
) -> std::process::Output {
    Command::new(lab_bin())
        .args(args)
        .arg("--submissions")
        .arg(subs)
        .arg("--out")
        .arg(out)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("lab grade")
}
