//! A folder laid out as a release is (scripts/release.sh, the release workflow): the
//! archive of this machine's target holding the given `lab`, `sha256.sum`, the installers.
//! The archive holds the test's own build of `lab`, so no musl build is needed.

use std::path::Path;
use std::process::Command;

/// The release target install.sh picks on this machine.
pub fn host_target() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "macos" => format!("{arch}-apple-darwin"),
        _ => format!("{arch}-unknown-linux-musl"),
    }
}

pub fn asset() -> String {
    format!("lab-{}.tar.gz", host_target())
}

/// `dir` gets `lab-<target>.tar.gz` (`lab-<target>/lab`, README.md), `sha256.sum`,
/// install.sh and install.ps1.
pub fn make(bin: &Path, dir: &Path) {
    let root = super::manifest_dir();
    let name = format!("lab-{}", host_target());
    let stage = tempfile::tempdir().unwrap();
    std::fs::create_dir(stage.path().join(&name)).unwrap();
    std::fs::copy(bin, stage.path().join(&name).join("lab")).unwrap();
    std::fs::copy(
        root.join("README.md"),
        stage.path().join(&name).join("README.md"),
    )
    .unwrap();
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(dir.join(asset()))
        .arg("-C")
        .arg(stage.path())
        .arg(&name)
        .status()
        .unwrap();
    assert!(ok.success(), "tar failed");
    for f in ["install.sh", "install.ps1"] {
        std::fs::copy(root.join(f), dir.join(f)).unwrap();
    }
    let sums = Command::new("sha256sum")
        .arg(asset())
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(sums.status.success(), "sha256sum failed");
    std::fs::write(dir.join("sha256.sum"), sums.stdout).unwrap();
}
