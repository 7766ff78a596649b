//! install.sh, as a student runs it, against a folder laid out as a release (issue 14):
//! it installs the archive of this machine's target and says where; an archive whose
//! checksum does not match `sha256.sum` is refused and nothing is installed. Also the
//! version `lab` reports, and the places the project's release address is written.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::release;

/// `sh install.sh` with only the given environment (and a PATH without the target folder).
fn install(base: &str, dest: &Path, home: &Path, path: &str) -> Output {
    Command::new("sh")
        .arg(support::manifest_dir().join("install.sh"))
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("LAB_INSTALL_BASE", base)
        .env("LAB_INSTALL_DIR", dest)
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

#[test]
fn installs_from_a_local_folder_and_runs() {
    let rel = tempfile::tempdir().unwrap();
    release::make(Path::new(support::lab_bin()), rel.path());
    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join("bin");
    let o = install(rel.path().to_str().unwrap(), &dest, home.path(), PATH);
    let said = said(&o);
    assert!(o.status.success(), "{said}");
    assert!(said.contains("checksum verified"), "{said}");
    assert!(
        said.contains(&format!("at {}/lab", dest.display())),
        "{said}"
    );
    assert!(said.contains("is not on your PATH"), "{said}");

    let v = Command::new(dest.join("lab"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(v.status.success());
    let v = String::from_utf8_lossy(&v.stdout);
    assert!(
        v.starts_with(&format!("lab {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    // Nothing but lab in the folder: no temporary file left behind.
    let left: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["lab"], "{left:?}");
}

#[test]
fn a_file_url_works_and_a_folder_on_path_is_named_so() {
    let rel = tempfile::tempdir().unwrap();
    release::make(Path::new(support::lab_bin()), rel.path());
    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join(".local/bin");
    let path = format!("{}:{PATH}", dest.display());
    let base = format!("file://{}/", rel.path().display());
    let o = install(&base, &dest, home.path(), &path);
    let said = said(&o);
    assert!(o.status.success(), "{said}");
    assert!(said.contains("is on your PATH"), "{said}");
    assert!(dest.join("lab").is_file());
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let rel = tempfile::tempdir().unwrap();
    release::make(Path::new(support::lab_bin()), rel.path());
    // The archive changes after its checksum was published.
    let archive = rel.path().join(release::asset());
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();

    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join("bin");
    let o = install(rel.path().to_str().unwrap(), &dest, home.path(), PATH);
    let said = said(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("checksum mismatch for {}", release::asset())),
        "{said}"
    );
    assert!(err.contains("nothing installed"), "{said}");
    assert!(!dest.join("lab").exists(), "{said}");
}

#[test]
fn an_archive_missing_from_sha256_sum_is_refused() {
    let rel = tempfile::tempdir().unwrap();
    release::make(Path::new(support::lab_bin()), rel.path());
    std::fs::write(
        rel.path().join("sha256.sum"),
        "0000000000000000000000000000000000000000000000000000000000000000  lab-other.tar.gz\n",
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join("bin");
    let o = install(rel.path().to_str().unwrap(), &dest, home.path(), PATH);
    let said = said(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(said.contains("has no checksum for"), "{said}");
    assert!(!dest.join("lab").exists(), "{said}");
}

#[test]
fn a_missing_release_folder_says_what_is_wrong() {
    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join("bin");
    let missing = home.path().join("no-such-release");
    let o = install(missing.to_str().unwrap(), &dest, home.path(), PATH);
    let said = said(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(said.contains("does not exist"), "{said}");
    assert!(!dest.exists(), "{said}");
}

/// `lab --version` names the commit it was built from (and whether the tree had changes).
#[test]
fn version_names_the_commit() {
    let o = Command::new(support::lab_bin())
        .arg("--version")
        .output()
        .unwrap();
    assert!(o.status.success());
    let v = String::from_utf8(o.stdout).unwrap();
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(support::manifest_dir())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match head {
        // The commit may have moved since the build: the shape is what is checked then.
        Some(_) => assert!(
            regex::Regex::new(r"^lab \d+\.\d+\.\d+ \(commit [0-9a-f]{12}(, modified)?\)\n$")
                .unwrap()
                .is_match(&v),
            "{v:?}"
        ),
        None => assert!(v.starts_with("lab "), "{v:?}"),
    }
}

/// The release's address is written in three places that must agree: Cargo.toml's
/// `repository` (from which `lab ci` and the release workflow take it) and the installers.
#[test]
fn installers_download_from_the_projects_releases() {
    let repo = env!("CARGO_PKG_REPOSITORY");
    let root = support::manifest_dir();
    let sh = std::fs::read_to_string(root.join("install.sh")).unwrap();
    assert!(sh.contains(&format!("REPO_URL=\"{repo}\"")), "install.sh");
    let ps = std::fs::read_to_string(root.join("install.ps1")).unwrap();
    assert!(ps.contains(&format!("$RepoUrl = '{repo}'")), "install.ps1");
}
