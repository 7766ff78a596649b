//! Replicas (LAB_FORMAT §3, v1.1), rebuilt images and `lab verify --keep`, on the real
//! engine with the fixture lab "scaling out behind one name" (tests/fixtures/scaling): three
//! replicas of a built service, checks of every replica and of one.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::Project;

/// The fixture course copied to a temporary folder (tests edit it). The copy's build
/// context is made unique to `project`: two copies made in the same second would otherwise
/// build one image (same files, same times), tagged for both projects.
fn fixture_copy(project: &str) -> tempfile::TempDir {
    let dir = support::workspace();
    let src = support::manifest_dir().join("tests/fixtures/scaling");
    let status = Command::new("cp")
        .args(["-r", &format!("{}/.", src.display())])
        .arg(dir.path())
        .status()
        .expect("cp");
    assert!(status.success());
    std::fs::write(dir.path().join("labs/scaling/app/.copy-of"), project).expect("write");
    dir
}

fn lab(course: &Path, args: &[&str]) -> Output {
    Command::new(support::lab_bin())
        .arg("--course")
        .arg(course)
        .args(args)
        .output()
        .expect("run lab")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A project for the lab, removed on drop with the image it builds.
struct Scaling {
    project: Project,
}

impl Scaling {
    fn new(test: &str) -> (Scaling, String) {
        let base = Project::new(test);
        let prefix = format!("{}-", base.name);
        let project = Project {
            name: format!("{prefix}scaling"),
        };
        project.cleanup();
        (Scaling { project }, prefix)
    }

    fn name(&self) -> &str {
        &self.project.name
    }
}

impl Drop for Scaling {
    fn drop(&mut self) {
        self.project.cleanup();
        let _ = Command::new("docker")
            .args(["rmi", &format!("{}-web:lab", self.project.name)])
            .output();
    }
}

fn names(project: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args(["ps", "-a", "--format", "{{.Names}}"])
        .args(["--filter", &format!("label=io.lab.project={project}")])
        .output()
        .expect("docker ps");
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn verify_proves_the_replicas_lab_and_its_variants() {
    let (s, prefix) = Scaling::new("rep-verify");
    let course = support::manifest_dir().join("tests/fixtures/scaling");
    let out = lab(&course, &["verify", "--json", "--prefix", &prefix]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let l = &v["labs"][0];
    assert_eq!(l["fresh_ok"], true, "{l}");
    assert_eq!(l["solved_ok"], true, "{l}");
    assert_eq!(l["clean_ok"], true, "{l}");
    // Two of three replicas marked fails "every replica"; the wrong canary fails `replica: 2`.
    assert_eq!(l["variants"].as_array().map(Vec::len), Some(3), "{l}");
    assert!(names(s.name()).is_empty());
    let images = Command::new("docker")
        .args(["images", "-q", &format!("{}-web", s.name())])
        .output()
        .expect("docker images");
    assert!(images.stdout.is_empty(), "verify left its built image");
}

#[test]
fn replicas_are_containers_of_their_own_and_a_rebuild_recreates_them() {
    let (s, _) = Scaling::new("rep-rebuild");
    let dir = fixture_copy(s.name());
    let course = dir.path();
    let p = s.name();
    let started = lab(course, &["start", "scaling", "--project", p]);
    assert!(started.status.success(), "{}", text(&started));
    assert_eq!(
        names(p),
        vec![
            format!("{p}-client"),
            format!("{p}-web-1"),
            format!("{p}-web-2"),
            format!("{p}-web-3")
        ]
    );
    let label = |name: &str| -> String {
        let out = Command::new("docker")
            .args([
                "inspect",
                "-f",
                "{{index .Config.Labels \"io.lab.replica\"}}",
                name,
            ])
            .output()
            .expect("inspect");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(label(&format!("{p}-web-2")), "2");
    // The service's name reaches the replicas, as in Compose.
    let served = |p: &str| -> String {
        let out = Command::new("docker")
            .args([
                "exec",
                &format!("{p}-client"),
                "wget",
                "-q",
                "-O",
                "-",
                "http://web:8080/",
            ])
            .output()
            .expect("exec");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(served(p).contains("version=1"), "{}", served(p));
    let old_image = image_id(&format!("{p}-web:lab"));

    // Edit the build context: the next start rebuilds and recreates what runs the image.
    let serve = course.join("labs/scaling/app/serve.sh");
    let script = std::fs::read_to_string(&serve).expect("read");
    std::fs::write(&serve, script.replace("version=1", "version=2")).expect("write");
    let again = lab(course, &["start", "scaling", "--project", p]);
    assert!(again.status.success(), "{}", text(&again));
    let said = text(&again);
    assert!(said.contains("3 recreated"), "{said}");
    assert!(served(p).contains("version=2"), "{}", served(p));
    // The image it replaced is gone, not left dangling.
    let old = Command::new("docker")
        .args(["image", "inspect", &old_image])
        .output()
        .expect("inspect");
    assert!(
        !old.status.success(),
        "the replaced image {old_image} is still there"
    );

    // A check of the service is a check of each replica.
    let exec = |i: u32, cmd: &str| {
        let out = Command::new("docker")
            .args(["exec", &format!("{p}-web-{i}"), "sh", "-c", cmd])
            .output()
            .expect("exec");
        assert!(out.status.success());
    };
    for i in [1, 3] {
        exec(i, "echo yes > /www/marked");
    }
    let check = lab(
        course,
        &["check", "scaling", "--project", p, "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    let status = |id: &str| -> (String, String) {
        let c = test_of(&report, id);
        (
            c["status"].as_str().unwrap_or_default().to_string(),
            c["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (st, msg) = status("every-replica-marked");
    assert_eq!(st, "fail");
    assert!(
        msg.contains(&format!("replica 2 of 3 ({p}-web-2)")),
        "{msg}"
    );
    exec(2, "echo yes > /www/marked");
    let check = lab(
        course,
        &["check", "scaling", "--project", p, "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(
        test_of(&report, "every-replica-marked")["status"],
        "pass",
        "{report}"
    );

    // A tcp check of a service with replicas probes each replica: with one stopped, the
    // service's name still reaches the others, and that is not "every replica listens".
    let stopped = Command::new("docker")
        .args(["stop", "-t", "1", &format!("{p}-web-2")])
        .output()
        .expect("stop");
    assert!(stopped.status.success());
    let check = lab(
        course,
        &["check", "scaling", "--project", p, "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    for id in ["every-replica-listens", "every-replica-listens-here"] {
        let c = test_of(&report, id);
        assert_eq!(c["status"], "fail", "{id}: {c}");
        let said = c["message"].as_str().unwrap_or_default();
        assert!(
            said.contains(&format!("replica 2 of 3 ({p}-web-2)")),
            "{said}"
        );
    }
    // Stopped, it is still connected to the lab's network: every replica is on it.
    let attached = test_of(&report, "all-attached");
    assert_eq!(attached["status"], "pass", "{attached}");

    // A service with replicas is on a network when every replica is (a stopped one that
    // is still connected is).
    let cut = Command::new("docker")
        .args([
            "network",
            "disconnect",
            &format!("{p}-default"),
            &format!("{p}-web-2"),
        ])
        .output()
        .expect("disconnect");
    assert!(
        cut.status.success(),
        "{}",
        String::from_utf8_lossy(&cut.stderr)
    );
    let check = lab(
        course,
        &["check", "scaling", "--project", p, "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    let attached = test_of(&report, "all-attached");
    assert_eq!(attached["status"], "fail", "{report}");
    let said = attached["message"].as_str().unwrap_or_default();
    assert!(
        said.contains(&format!("expected {p}-web-2 to be on it")),
        "{said}"
    );

    let stop = lab(course, &["stop", "scaling", "--project", p]);
    assert!(stop.status.success(), "{}", text(&stop));
    assert!(names(p).is_empty());
}

/// One check's result in a `lab check --format json` report (null when it is not there).
fn test_of(report: &serde_json::Value, id: &str) -> serde_json::Value {
    report["tests"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_default()
}

fn image_id(name: &str) -> String {
    let out = Command::new("docker")
        .args(["image", "inspect", "-f", "{{.Id}}", name])
        .output()
        .expect("inspect");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn verify_keep_leaves_the_failing_lab_up_and_names_what_the_solution_left() {
    let (s, prefix) = Scaling::new("rep-keep");
    let dir = fixture_copy(s.name());
    let course = dir.path();
    let p = s.name().to_string();
    let junk = format!("{p}-junk");
    // A solution that misses a replica and leaves an unlabelled container behind.
    let solve: PathBuf = course.join("solutions/scaling/solve.sh");
    let script = std::fs::read_to_string(&solve).expect("read");
    let broken = script.replace("for i in 1 2 3; do", "for i in 1 3; do")
        + "docker run -d --name \"$LAB_PROJECT-junk\" busybox:1.36 sleep 120 >/dev/null\n";
    std::fs::write(&solve, broken).expect("write");
    let out = lab(course, &["verify", "--keep", "--json", "--prefix", &prefix]);
    let _ = Command::new("docker").args(["rm", "-f", &junk]).output();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let l = &v["labs"][0];
    assert_eq!(l["kept"]["project"], p.as_str(), "{l}");
    assert_eq!(l["kept"]["run"], "solution", "{l}");
    let workspace = l["kept"]["workspace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(Path::new(&workspace).is_dir(), "{l}");
    let problems = l["problems"].to_string();
    assert!(problems.contains("every-replica-marked"), "{problems}");
    assert!(
        problems.contains(&format!("container {junk}")),
        "{problems}"
    );
    assert_eq!(l["clean_ok"], false, "{l}");
    // Kept: the lab is still up for inspection, and `lab stop` removes it. The image its
    // containers run keeps its name (without it, it would be left untagged once stopped).
    assert_eq!(names(&p).len(), 4, "{:?}", names(&p));
    assert!(
        !image_id(&format!("{p}-web:lab")).is_empty(),
        "the kept lab's image lost its name"
    );
    let stop = lab(course, &["stop", "scaling", "--project", &p]);
    assert!(stop.status.success(), "{}", text(&stop));
    assert!(names(&p).is_empty());
    let _ = std::fs::remove_dir_all(&workspace);

    // In text, the row says "kept" and how to look.
    std::fs::write(
        &solve,
        script.replace("for i in 1 2 3; do", "for i in 1 3; do"),
    )
    .expect("write");
    let out = lab(course, &["verify", "--keep", "--prefix", &prefix]);
    let said = text(&out);
    let _ = lab(course, &["stop", "scaling", "--project", &p]);
    assert!(said.contains("kept"), "{said}");
    assert!(
        said.contains(&format!("lab check scaling --project {p}")),
        "{said}"
    );
    assert!(
        said.contains(&format!("lab stop scaling --project {p}")),
        "{said}"
    );
}
