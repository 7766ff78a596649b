//! Host paths in a container's mounts: which sources are paths, and whether one stays in
//! the submission's workspace.

use std::path::Path;

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

/// `path` is `dir` or below it, with `..` and links resolved.
pub fn inside(path: &Path, dir: &Path) -> bool {
    let (Ok(p), Ok(d)) = (std::fs::canonicalize(path), std::fs::canonicalize(dir)) else {
        return false;
    };
    p.starts_with(d)
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
}
