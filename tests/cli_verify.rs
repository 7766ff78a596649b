//! `lab verify` on a gradable lab and on one with every mistake a verifier must catch.

mod support;

use std::path::Path;
use std::process::Command;

#[test]
fn verify_proves_a_good_lab_and_catches_a_bad_one() {
    let p = support::Project::new("verify");
    let prefix = format!("{}-", p.name);
    let course = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verify");
    let out = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args([
            "--course",
            course.to_str().unwrap_or_default(),
            "verify",
            "--json",
            "--prefix",
            &prefix,
        ])
        .output()
        .expect("run lab verify");
    let leftover = format!("{prefix}bad-unlabelled-leftover");
    let _ = Command::new("docker")
        .args(["rm", "-f", &leftover])
        .output();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let good = &v["labs"][0];
    assert_eq!(good["lab"], "good");
    assert_eq!(good["problems"], serde_json::json!([]), "{good}");
    let bad = &v["labs"][1];
    let problems: Vec<String> = serde_json::from_value(bad["problems"].clone()).expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("check always already passes on the fresh lab")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("check never does not pass after the solution")),
        "{problems:?}"
    );
    // The leftover is named after the bad lab's project: its row says so, not only a line.
    assert!(
        problems
            .iter()
            .any(|p| p.contains("left on the engine")
                && p.contains(&format!("container {leftover}"))),
        "{problems:?}"
    );
    assert_eq!(bad["clean_ok"], false, "{bad}");
    assert_eq!(v["leftovers"], serde_json::json!([]));
    for lab in ["good", "bad"] {
        let label = format!("label=io.lab.project={prefix}{lab}");
        let ps = Command::new("docker")
            .args(["ps", "-aq", "--filter", &label])
            .output()
            .expect("ps");
        assert!(ps.stdout.is_empty(), "{lab} left containers");
    }
}
