//! Windows: job objects, named pipes, a TCP guard on loopback; no file modes, no pty.

use std::io;
use std::path::Path;
use std::time::Duration;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};

/// Docker Desktop's engine when DOCKER_HOST is not set.
pub const DEFAULT_ENGINE: &str = "npipe:////./pipe/docker_engine";

/// What to do when the engine cannot be reached.
pub const START_ENGINE_HINT: &str =
    "Start Docker Desktop, or set DOCKER_HOST to where the engine listens.";

/// `CREATE_NEW_PROCESS_GROUP`: the console's Ctrl-C does not reach the child (lab decides).
const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
/// The pipe exists but all its instances are busy: wait and open again.
const ERROR_PIPE_BUSY: i32 = 231;

/// A job object holding a child and all it starts, killed together when this is dropped.
/// A job rather than `taskkill /T`: taskkill walks parent ids, so it misses what an exited
/// shell left behind and may hit a stranger that reused the pid; the job keeps every
/// descendant, and closing it (also when lab itself dies) ends them all.
#[derive(Debug)]
pub struct Tree {
    job: HANDLE,
}

// SAFETY: a job handle is a kernel object handle, usable from any thread.
unsafe impl Send for Tree {}
unsafe impl Sync for Tree {}

impl Tree {
    /// Put a just-spawned child in a new job. What it starts from here on is in the job
    /// too; a shell takes milliseconds to start anything, far longer than this takes.
    /// `None` when Windows refuses (only the child itself is then killed, by tokio).
    pub fn own(child: &tokio::process::Child) -> Option<Tree> {
        let process = child.raw_handle()? as HANDLE;
        // SAFETY: plain Win32 calls on handles we own (the job) or borrow for the call (the
        // child's, kept open by `child`); the info struct lives across its call.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return None;
            }
            let tree = Tree { job };
            let mut info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let set = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                &info as *const _ as *const std::ffi::c_void,
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            if set == 0 || AssignProcessToJobObject(job, process) == 0 {
                return None;
            }
            Some(tree)
        }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        // SAFETY: the job handle is ours and closed once.
        unsafe {
            TerminateJobObject(self.job, 1);
            CloseHandle(self.job);
        }
    }
}

/// Start the child in a process group of its own (console Ctrl-C stays with lab).
pub fn isolate(cmd: &mut tokio::process::Command) {
    cmd.creation_flags(CREATE_NEW_PROCESS_GROUP);
}

/// Windows files have no unix mode.
pub fn unix_mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// Windows has no executable bit: nothing to do (`false`); lab runs scripts with `sh`.
pub fn make_executable(_path: &Path) -> io::Result<bool> {
    Ok(false)
}

/// The engine guard's listener: loopback TCP on a port the system picks (a unix socket's
/// folder permissions have no plain equivalent here; the guard lives only as long as the
/// script it serves).
pub type GuardListener = tokio::net::TcpListener;

/// Listen for the guarded script; returns the listener and the DOCKER_HOST to give it.
pub async fn guard_listen(_dir: &Path) -> io::Result<(GuardListener, String)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = listener.local_addr()?.port();
    Ok((listener, format!("tcp://127.0.0.1:{port}")))
}

/// A connection to a local engine.
pub type LocalStream = tokio::net::windows::named_pipe::NamedPipeClient;

/// Connect to an `npipe://` engine (Docker Desktop's).
pub async fn connect_local(address: &str) -> io::Result<LocalStream> {
    if !address.starts_with("npipe://") {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("{address}: only npipe:// and tcp:// engines are reachable on Windows"),
        ));
    }
    let name = super::pipe_name(address);
    let mut tries = 0;
    loop {
        match tokio::net::windows::named_pipe::ClientOptions::new().open(&name) {
            Ok(client) => return Ok(client),
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && tries < 40 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The console window changing size: Windows sends no signal, so its size is polled.
pub struct Resizes {
    last: Option<(u16, u16)>,
}

impl Resizes {
    /// Start watching the terminal this process runs in.
    pub fn watch() -> Resizes {
        Resizes {
            last: crossterm::terminal::size().ok(),
        }
    }

    /// Wait for the next change.
    pub async fn changed(&mut self) {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = crossterm::terminal::size().ok();
            if now != self.last {
                self.last = now;
                return;
            }
        }
    }
}

/// No pseudo-terminal `expectrl` drives on Windows: [`spawn_pty`] always refuses.
pub struct Pty {
    pub stream: Box<dyn super::Duplex>,
    pub owner: (),
}

pub fn spawn_pty(_cmd: std::process::Command) -> io::Result<Pty> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        super::HOST_EXPECT_NEEDS_UNIX,
    ))
}

/// Named pipes are not probed ahead: the connection says.
pub fn probe_socket(_path: &Path) -> crate::platform::SocketState {
    crate::platform::SocketState::Open
}

/// Not read on Windows (Docker Desktop keeps images in its VM).
pub fn free_space(_path: &Path) -> Option<u64> {
    None
}

/// Docker Desktop's pipe is the default; Podman's machine pipe is the other one.
pub fn other_sockets() -> Vec<(crate::platform::SocketKind, std::path::PathBuf)> {
    vec![(
        crate::platform::SocketKind::Podman,
        std::path::PathBuf::from("//./pipe/podman-machine-default"),
    )]
}
