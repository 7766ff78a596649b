//! What differs between unix (Linux, macOS) and Windows, in one place. `unix.rs` and
//! `windows.rs` hold the same names, one of them compiled; this file holds what both share
//! and the decisions that are data (which shell, which message), written for any [`Os`] so
//! that Linux's tests cover Windows' answers too.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub use imp::{
    DEFAULT_ENGINE, GuardListener, LocalStream, Pty, Resizes, START_ENGINE_HINT, Tree,
    connect_local, free_space, guard_listen, isolate, make_executable, other_sockets, probe_socket,
    spawn_pty, unix_mode,
};

/// What connecting to an engine's socket found, ahead of speaking HTTP on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketState {
    Open,
    /// No such file: nothing listens there.
    Missing,
    /// The socket exists but this user may not use it; `group` owns it.
    Forbidden {
        group: Option<String>,
    },
    /// The file exists and nothing accepts: a stale socket of a stopped engine.
    Refused,
    Other(String),
}

/// The engines that listen on sockets of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketKind {
    Rootless,
    Desktop,
    Podman,
}

/// The two families `lab` builds for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux, macOS: process groups, file modes, pseudo-terminals, unix sockets.
    Unix,
    /// Windows: job objects, named pipes, no file modes, no pty `expectrl` can drive.
    Windows,
}

/// The family this build is for.
pub const OS: Os = if cfg!(windows) { Os::Windows } else { Os::Unix };

/// A byte stream both ways (a pseudo-terminal's), for `expectrl`'s async session.
pub trait Duplex: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin + Send {}
impl<T: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin + Send> Duplex for T {}

/// Why host-side `expect` cannot run on Windows: it needs a unix pseudo-terminal.
pub const HOST_EXPECT_NEEDS_UNIX: &str =
    "expect with host: true needs a unix host (Linux or macOS)";

/// `Err(why)` where a program on the host cannot be driven under a pseudo-terminal.
pub fn host_pty(os: Os) -> Result<(), &'static str> {
    match os {
        Os::Unix => Ok(()),
        Os::Windows => Err(HOST_EXPECT_NEEDS_UNIX),
    }
}

/// Why a `file` check's `mode:` cannot be judged on a host file without one (Windows').
pub fn no_file_modes(path: &str, want: u32) -> String {
    format!(
        "mode {want:04o} of {path} cannot be checked: file modes are not applicable on \
         Windows (check the file in a container with `target:`, or grade on Linux or macOS)"
    )
}

/// The shell `lab` runs scripts with (`sh`, `bash`). On unix the name itself (the system
/// finds it). On Windows there is no system shell: Git for Windows ships one, often not on
/// PATH (its installer adds only `Git\cmd`), so it is looked for beside `git` too.
pub fn shell(name: &str) -> Result<std::path::PathBuf, String> {
    let path = std::env::var("PATH").unwrap_or_default();
    let program_files = std::env::var("ProgramFiles").ok();
    find_shell(OS, name, &path, program_files.as_deref(), &|p| {
        std::path::Path::new(p).is_file()
    })
}

/// [`shell`] with the environment and the file system given (testable for any [`Os`]).
pub fn find_shell(
    os: Os,
    name: &str,
    path_var: &str,
    program_files: Option<&str>,
    exists: &dyn Fn(&str) -> bool,
) -> Result<std::path::PathBuf, String> {
    if os == Os::Unix {
        return Ok(name.into());
    }
    let exe = format!("{name}.exe");
    let dirs: Vec<&str> = path_var
        .split(';')
        .map(|d| d.trim().trim_matches('"').trim_end_matches(['\\', '/']))
        .filter(|d| !d.is_empty())
        .collect();
    // Not System32's bash.exe: that is WSL's launcher, a Linux that sees none of this
    // machine's paths as they are written here.
    let wsl = |d: &str| d.to_ascii_lowercase().ends_with("\\system32");
    let mut candidates: Vec<String> = dirs
        .iter()
        .filter(|d| !wsl(d))
        .map(|d| format!("{d}\\{exe}"))
        .collect();
    // Git for Windows: git.exe in <root>\cmd (or <root>\bin, <root>\mingw64\bin); the
    // shells in <root>\bin and <root>\usr\bin.
    for d in &dirs {
        if !exists(&format!("{d}\\git.exe")) {
            continue;
        }
        let mut root = *d;
        for tail in ["\\mingw64\\bin", "\\cmd", "\\bin"] {
            // `get`: a folder name with non-ASCII letters must not be cut mid-character.
            let cut = root.len().saturating_sub(tail.len());
            if root.len() > tail.len()
                && let (Some(head), Some(end)) = (root.get(..cut), root.get(cut..))
                && end.eq_ignore_ascii_case(tail)
            {
                root = head;
                break;
            }
        }
        candidates.push(format!("{root}\\bin\\{exe}"));
        candidates.push(format!("{root}\\usr\\bin\\{exe}"));
    }
    if let Some(pf) = program_files {
        candidates.push(format!("{pf}\\Git\\bin\\{exe}"));
        candidates.push(format!("{pf}\\Git\\usr\\bin\\{exe}"));
    }
    candidates
        .into_iter()
        .find(|c| exists(c))
        .map(Into::into)
        .ok_or_else(|| {
            format!(
                "lab runs this script with {name}, and there is no {exe} on this machine: \
                 install Git for Windows (it ships {name}) or put a folder holding {exe} on PATH"
            )
        })
}

/// `npipe:////./pipe/docker_engine` (DOCKER_HOST's spelling) → `\\.\pipe\docker_engine`
/// (the name Windows opens).
pub fn pipe_name(address: &str) -> String {
    address.trim_start_matches("npipe://").replace('/', "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_names() {
        assert_eq!(
            pipe_name("npipe:////./pipe/docker_engine"),
            r"\\.\pipe\docker_engine"
        );
        assert_eq!(
            pipe_name(r"npipe://\\.\pipe\dockerDesktopLinuxEngine"),
            r"\\.\pipe\dockerDesktopLinuxEngine"
        );
    }

    #[test]
    fn what_windows_cannot_do_is_said() {
        assert_eq!(host_pty(Os::Unix), Ok(()));
        assert_eq!(host_pty(Os::Windows), Err(HOST_EXPECT_NEEDS_UNIX));
        let why = no_file_modes("run.sh", 0o755);
        assert!(why.contains("0755 of run.sh") && why.contains("not applicable on Windows"));
    }

    #[test]
    fn shells_on_unix_are_found_by_the_system() {
        let found = find_shell(Os::Unix, "sh", "", None, &|_| false);
        assert_eq!(found, Ok("sh".into()));
    }

    #[test]
    fn shells_on_windows_on_path_beside_git_or_in_program_files() {
        let on = |files: &'static [&'static str]| move |p: &str| files.contains(&p);
        let path = r"C:\Windows\system32;C:\Program Files\Git\cmd\;C:\tools";
        // On PATH first.
        let f = on(&[r"C:\tools\sh.exe", r"C:\Program Files\Git\cmd\git.exe"]);
        assert_eq!(
            find_shell(Os::Windows, "sh", path, None, &f),
            Ok(r"C:\tools\sh.exe".into())
        );
        // Beside git: Git\cmd on PATH means Git\bin\sh.exe.
        let f = on(&[
            r"C:\Program Files\Git\cmd\git.exe",
            r"C:\Program Files\Git\bin\sh.exe",
        ]);
        assert_eq!(
            find_shell(Os::Windows, "sh", path, None, &f),
            Ok(r"C:\Program Files\Git\bin\sh.exe".into())
        );
        // Where Git installs by default, git not on PATH at all.
        let f = on(&[r"D:\Apps\Git\usr\bin\bash.exe"]);
        assert_eq!(
            find_shell(Os::Windows, "bash", "", Some(r"D:\Apps"), &f),
            Ok(r"D:\Apps\Git\usr\bin\bash.exe".into())
        );
        // WSL's bash in System32 is not a shell for Windows paths: Git's is taken.
        let f = on(&[
            r"C:\Windows\System32\bash.exe",
            r"C:\Program Files\Git\cmd\git.exe",
            r"C:\Program Files\Git\bin\bash.exe",
        ]);
        assert_eq!(
            find_shell(Os::Windows, "bash", path, None, &f),
            Ok(r"C:\Program Files\Git\bin\bash.exe".into())
        );
        // None: say what to install.
        let why = find_shell(Os::Windows, "sh", path, None, &|_| false).unwrap_err();
        assert!(
            why.contains("no sh.exe") && why.contains("Git for Windows"),
            "{why}"
        );
    }
}
