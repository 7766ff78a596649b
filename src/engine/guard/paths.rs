//! Host paths in a container's mounts: which sources are paths, and whether one stays in
//! the submission's workspace.

use std::io::ErrorKind::NotFound;
use std::path::{Component, Path, PathBuf};

use crate::platform::Os;

/// The host side of a `-v` bind (`source:target[:options]`). On Windows a source may carry
/// a drive letter with a colon of its own (`C:\work:/app`), which must not end it there:
/// taking `C` for a volume's name would let any folder of the host through.
pub fn bind_source(os: Os, bind: &str) -> &str {
    let skip = if os == Os::Windows && drive(bind) {
        2
    } else {
        0
    };
    match bind[skip..].find(':') {
        Some(i) => &bind[..skip + i],
        None => bind,
    }
}

/// Whether a bind's source is a host path rather than a volume's name: absolute, in the
/// host's spelling (on Windows also `C:\…`, `C:/…`, `\\server\share`, `\\.\pipe\…`).
pub fn host_path(os: Os, source: &str) -> bool {
    source.starts_with('/') || (os == Os::Windows && (source.starts_with('\\') || drive(source)))
}

/// `C:\` or `C:/` at the start.
fn drive(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/')
}

/// `path` is `dir` or below it, with links resolved. The engine may clean a source
/// lexically (`a/l/..` is `a`) before the kernel follows its links, so both readings must
/// stay inside.
pub fn inside(path: &Path, dir: &Path) -> bool {
    let Ok(d) = std::fs::canonicalize(dir) else {
        return false;
    };
    [clean(path), path.to_path_buf()]
        .iter()
        .all(|p| resolve(p).is_some_and(|p| p.starts_with(&d)))
}

/// `path` with its links resolved. The engine makes a missing bind source, so what does
/// not exist yet is taken as named below its nearest existing ancestor; `None` if such a
/// part is `..` or a dangling link (it would lead elsewhere), or the path cannot be read.
fn resolve(path: &Path) -> Option<PathBuf> {
    let mut missing = Vec::new();
    let mut at = path;
    loop {
        match std::fs::canonicalize(at) {
            Ok(mut real) => {
                real.extend(missing.iter().rev());
                return Some(real);
            }
            Err(e) if e.kind() == NotFound => {
                if !matches!(std::fs::symlink_metadata(at), Err(e) if e.kind() == NotFound) {
                    return None;
                }
                missing.push(at.file_name()?);
                at = at.parent()?;
            }
            Err(_) => return None,
        }
    }
}

/// `..` and `.` taken away lexically, as Go's `path.Clean` does.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_binds_are_paths_not_volume_names() {
        let w = Os::Windows;
        assert_eq!(bind_source(w, r"C:\Users\me:/host"), r"C:\Users\me");
        assert_eq!(bind_source(w, "c:/:/host:ro"), "c:/");
        assert_eq!(bind_source(w, "week1-data:/data"), "week1-data");
        assert_eq!(
            bind_source(w, "/var/run/docker.sock:/s"),
            "/var/run/docker.sock"
        );
        assert!(host_path(w, r"C:\Users\me") && host_path(w, "c:/"));
        assert!(host_path(w, r"\\.\pipe\docker_engine") && host_path(w, "/etc"));
        assert!(!host_path(w, "week1-data"));
        // On unix a one-letter volume stays a volume, as the engine reads it.
        assert_eq!(bind_source(Os::Unix, "c:/data"), "c");
        assert!(!host_path(Os::Unix, "c"));
    }

    #[test]
    fn a_source_the_engine_will_make_is_judged_by_where_it_will_be() {
        let ws = tempfile::tempdir().unwrap();
        let w = ws.path();
        assert!(inside(&w.join("out"), w));
        assert!(inside(&w.join("logs/today/x"), w));
        assert!(inside(&w.join("./out"), w));
        assert!(!inside(&w.join("out/../../etc"), w));
        assert!(!inside(&w.join("../elsewhere"), w));
        assert!(!inside(Path::new("/etc"), w));
    }

    #[cfg(unix)]
    #[test]
    fn links_lead_where_they_point() {
        let ws = tempfile::tempdir().unwrap();
        let w = ws.path();
        std::fs::create_dir_all(w.join("a/b/c")).unwrap();
        // The kernel reads `l/../../../x` as the workspace's `x`, path.Clean as `/x`.
        std::os::unix::fs::symlink(w.join("a/b/c"), w.join("l")).unwrap();
        assert!(inside(&w.join("l/x"), w));
        assert!(!inside(&w.join("l/../../../x"), w));
        // A dangling link: the engine would follow it out.
        std::os::unix::fs::symlink("/nonexistent-lab-test", w.join("d")).unwrap();
        assert!(!inside(&w.join("d"), w));
        assert!(!inside(&w.join("d/sub"), w));
        std::os::unix::fs::symlink("/", w.join("root")).unwrap();
        assert!(!inside(&w.join("root/tmp"), w));
    }
}
