//! Embeds the commit `lab` was built from, for `lab --version`: `git` when the source is
//! this project's own checkout, else the `LAB_COMMIT` environment variable (a build from a
//! source tarball in a packaging job), else "unknown". Sets `LAB_BUILD_VERSION`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

/// (commit, dirty) from the checkout the crate is the root of; None from a tarball, and
/// from a tarball unpacked inside some other repository.
fn from_git(dir: &Path) -> Option<(String, bool)> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // Changes to tracked files only: a build's own outputs are not the source.
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    // Rebuild when HEAD moves or the index changes.
    for what in ["HEAD", "index"] {
        if let Some(p) = git(dir, &["rev-parse", "--git-path", what]) {
            println!("cargo:rerun-if-changed={}", dir.join(p).display());
        }
    }
    if let Some(head) = git(dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(dir, &["rev-parse", "--git-path", &head])
    {
        println!("cargo:rerun-if-changed={}", dir.join(p).display());
    }
    Some((commit, dirty))
}

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=LAB_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    // An edit to the source may change "dirty".
    for p in ["src", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", dir.join(p).display());
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap();
    let described = match from_git(&dir) {
        Some((commit, true)) => format!("{version} (commit {commit}, modified)"),
        Some((commit, false)) => format!("{version} (commit {commit})"),
        None => match std::env::var("LAB_COMMIT") {
            Ok(c) if !c.trim().is_empty() => format!("{version} (commit {})", c.trim()),
            _ => format!("{version} (commit unknown)"),
        },
    };
    println!("cargo:rustc-env=LAB_BUILD_VERSION={described}");
}
