//! Linux and macOS: process groups, file modes, pseudo-terminals, unix sockets.

use std::io;
use std::path::Path;

/// Where the engine listens when DOCKER_HOST is not set.
pub const DEFAULT_ENGINE: &str = "unix:///var/run/docker.sock";

/// What to do when the engine cannot be reached.
pub const START_ENGINE_HINT: &str = if cfg!(target_os = "macos") {
    "Start Docker Desktop (or your engine), or set DOCKER_HOST to where it listens."
} else {
    "Start Docker (e.g. `sudo systemctl start docker`), or set DOCKER_HOST to where it listens."
};

/// A child's process group: everything it started, killed together when this is dropped.
#[derive(Debug)]
pub struct Tree {
    pgid: i32,
}

impl Tree {
    /// The group of a child spawned after [`isolate`].
    pub fn own(child: &tokio::process::Child) -> Option<Tree> {
        Tree::of_leader(child.id()?)
    }

    /// The group led by `pid` (a session leader such as a program under a pty).
    fn of_leader(pid: u32) -> Option<Tree> {
        // Never 0 or 1: kill(-1) would signal every process we may signal.
        let pgid = i32::try_from(pid).ok().filter(|p| *p > 1)?;
        Some(Tree { pgid })
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is
        // touched. A group id is not reused while any member lives, so this cannot hit a
        // stranger even after the leader exited.
        unsafe {
            libc::kill(-self.pgid, libc::SIGKILL);
        }
    }
}

/// Start the child in a process group of its own: the terminal's Ctrl-C does not reach
/// it (lab decides), and [`Tree`] can kill all it starts.
pub fn isolate(cmd: &mut tokio::process::Command) {
    cmd.process_group(0);
}

/// A host file's permission bits.
pub fn unix_mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode())
}

/// Mark a script executable (`true`: done; Windows says `false`: there is no such bit).
pub fn make_executable(path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(true)
}

/// The engine guard's listener: a socket in its private folder.
pub type GuardListener = tokio::net::UnixListener;

/// Listen for the guarded script; returns the listener and the DOCKER_HOST to give it.
pub async fn guard_listen(dir: &Path) -> io::Result<(GuardListener, String)> {
    let sock = dir.join("docker.sock");
    let listener = tokio::net::UnixListener::bind(&sock)?;
    Ok((listener, format!("unix://{}", sock.display())))
}

/// A connection to a local engine.
pub type LocalStream = tokio::net::UnixStream;

/// Connect to a `unix://` engine.
pub async fn connect_local(address: &str) -> io::Result<LocalStream> {
    let Some(path) = address.strip_prefix("unix://") else {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("{address}: only unix:// and tcp:// engines are reachable from here"),
        ));
    };
    tokio::net::UnixStream::connect(path).await
}

/// The terminal's window changing size (SIGWINCH).
pub struct Resizes {
    signal: Option<tokio::signal::unix::Signal>,
}

impl Resizes {
    /// Start watching the terminal this process runs in.
    pub fn watch() -> Resizes {
        use tokio::signal::unix::{SignalKind, signal};
        Resizes {
            signal: signal(SignalKind::window_change()).ok(),
        }
    }

    /// Wait for the next change (forever, when there is no terminal to watch).
    pub async fn changed(&mut self) {
        match self.signal.as_mut() {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
}

/// A program on the host under a pseudo-terminal (host-side `expect`).
pub struct Pty {
    /// Its terminal.
    pub stream: Box<dyn super::Duplex>,
    /// The program and all it started: killed when this is dropped.
    pub owner: PtyOwner,
}

pub struct PtyOwner {
    _tree: Option<Tree>,
    _process: expectrl::process::unix::UnixProcess,
}

/// Start `cmd` under a new pseudo-terminal.
pub fn spawn_pty(cmd: std::process::Command) -> io::Result<Pty> {
    use expectrl::process::{IntoAsyncStream, Process};
    let mut process = expectrl::process::unix::UnixProcess::spawn_command(cmd)?;
    // It leads its own session under the pty, so its pid is its group's.
    let tree = u32::try_from(process.pid().as_raw())
        .ok()
        .and_then(Tree::of_leader);
    let stream = process
        .open_stream()
        .and_then(|s| s.into_async_stream())
        .map_err(|e| io::Error::other(format!("could not open the program's terminal: {e}")))?;
    Ok(Pty {
        stream: Box::new(stream),
        owner: PtyOwner {
            _tree: tree,
            _process: process,
        },
    })
}

/// Whether an engine socket can be used, and if not, why (the kinds the fix depends on).
pub fn probe_socket(path: &Path) -> crate::platform::SocketState {
    use crate::platform::SocketState;
    use std::os::unix::fs::MetadataExt;
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => SocketState::Open,
        Err(e) => match e.kind() {
            io::ErrorKind::NotFound => SocketState::Missing,
            io::ErrorKind::PermissionDenied => SocketState::Forbidden {
                group: std::fs::metadata(path)
                    .ok()
                    .and_then(|m| group_name(m.gid())),
            },
            io::ErrorKind::ConnectionRefused => SocketState::Refused,
            _ => SocketState::Other(e.to_string()),
        },
    }
}

/// A group's name from /etc/group (no NSS lookup: enough for the socket's usual `docker`).
fn group_name(gid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let id = f.nth(1)?;
        (id.parse::<u32>().ok()? == gid).then(|| name.to_string())
    })
}

/// Free bytes for an unprivileged writer on the filesystem holding `path` (the nearest
/// existing folder up from it), or `None` when it cannot be read.
pub fn free_space(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut at = Some(path);
    while let Some(p) = at {
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
        let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
        if unsafe { libc::statvfs(c.as_ptr(), &mut s) } == 0 {
            return Some((s.f_bavail as u64).saturating_mul(s.f_frsize as u64));
        }
        at = p.parent();
    }
    None
}

/// Sockets other engines listen on when the default one is absent, in the order tried:
/// rootless Docker, Docker Desktop, Podman's user socket.
pub fn other_sockets() -> Vec<(crate::platform::SocketKind, std::path::PathBuf)> {
    use crate::platform::SocketKind;
    let mut out = Vec::new();
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            // SAFETY: getuid(2) cannot fail and touches no memory.
            let uid = unsafe { libc::getuid() };
            Some(std::path::PathBuf::from(format!("/run/user/{uid}")))
        });
    if let Some(run) = &runtime {
        out.push((SocketKind::Rootless, run.join("docker.sock")));
    }
    if let Some(home) = std::env::var_os("HOME") {
        // macOS, then Linux.
        for path in [".docker/run/docker.sock", ".docker/desktop/docker.sock"] {
            out.push((SocketKind::Desktop, Path::new(&home).join(path)));
        }
    }
    if let Some(run) = &runtime {
        out.push((SocketKind::Podman, run.join("podman/podman.sock")));
    }
    out
}
