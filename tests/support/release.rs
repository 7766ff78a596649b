//! A folder laid out as a release is (scripts/release.sh, the release workflow): the
//! archive of this machine's target holding the given `lab`, `sha256.sum`, the installers.
//! The archive holds the test's own build of `lab`, so no musl build is needed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

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
    std::fs::copy(archive(bin), dir.join(asset())).unwrap();
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

/// The archive, made once per test binary (the debug `lab` is large) in cargo's
/// temporary folder for tests.
fn archive(bin: &Path) -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let name = format!("lab-{}", host_target());
        let stage = tempfile::tempdir().unwrap();
        std::fs::create_dir(stage.path().join(&name)).unwrap();
        std::fs::copy(bin, stage.path().join(&name).join("lab")).unwrap();
        std::fs::copy(
            super::manifest_dir().join("README.md"),
            stage.path().join(&name).join("README.md"),
        )
        .unwrap();
        // One file per test file (its binary's name without cargo's hash), made again by
        // each run of it.
        let exe = std::env::current_exe().unwrap();
        let exe = exe.file_stem().unwrap().to_string_lossy().into_owned();
        let exe = exe.rsplit_once('-').map_or(exe.as_str(), |(name, _)| name);
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{exe}-{}", asset()));
        let ok = Command::new("sh")
            .arg("-c")
            .arg("tar -cf - -C \"$1\" \"$2\" | gzip -1 > \"$3\"")
            .arg("sh")
            .arg(stage.path())
            .arg(&name)
            .arg(&out)
            .status()
            .unwrap();
        assert!(ok.success(), "tar failed");
        out
    })
}
