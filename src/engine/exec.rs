//! Running commands in containers: a plain exec with bounded time and output (checks,
//! probes, readiness), and an attached exec with a terminal (expect sessions, `lab shell`).

use std::pin::Pin;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::io::StreamReader;

use super::connect::Engine;
use super::error::{EngineError, is_conflict};
use super::logs::LogChunk;
use crate::text::{Capped, Keep};

/// A command to run in a container.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    pub cmd: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub env: Vec<String>,
}

/// What came back, each stream capped.
#[derive(Debug, Clone, Default)]
pub struct ExecOutput {
    /// `None` when the command was cut off by the time limit, or the engine had not
    /// recorded its exit code half a second after its output ended. Output over the cap
    /// is read to the end (and dropped), so a flood still has its exit code.
    pub exit: Option<i64>,
    pub stdout: String,
    pub stderr: String,
    /// stdout as printed, before `stdout` made it printable (a file read with `cat`).
    pub stdout_bytes: Vec<u8>,
    pub truncated: Cut,
    pub timed_out: bool,
}

/// Which streams printed more than was kept. Apart, because a check on one stream is sure
/// of its verdict when only the other was cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cut {
    pub stdout: bool,
    pub stderr: bool,
    /// Cut not for its length but because reading stopped while a program the command
    /// left outside its reach still held the stream open (see `checks::kinds::command`).
    pub stdout_held: bool,
    pub stderr_held: bool,
}

impl Cut {
    pub fn any(self) -> bool {
        self.stdout || self.stderr
    }
}

fn exec_error(doing: &str, e: bollard::errors::Error) -> EngineError {
    if is_conflict(&e) {
        return EngineError::Refused(format!("{doing}: the container is not running"));
    }
    EngineError::engine(doing)(e)
}

/// Run a command in a container; keep the first `cap` bytes per stream, stop at `timeout`.
/// A command that hangs cannot hold the grader; one that prints more than `cap` is still
/// read to its end (the rest discarded), since its exit code is part of the verdict.
pub async fn exec(
    engine: &Engine,
    id: &str,
    req: &ExecRequest,
    timeout: Duration,
    cap: usize,
) -> Result<ExecOutput, EngineError> {
    let docker = engine.api();
    let doing = "running a command in the container";
    let created = docker
        .create_exec(
            id,
            CreateExecOptions {
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                cmd: Some(req.cmd.clone()),
                user: req.user.clone(),
                working_dir: req.workdir.clone(),
                env: (!req.env.is_empty()).then(|| req.env.clone()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| exec_error(doing, e))?;
    super::events::mark_own_exec(&created.id);
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty: false,
                output_capacity: None,
            }),
        )
        .await
        .map_err(|e| exec_error(doing, e))?;
    let StartExecResults::Attached { mut output, .. } = started else {
        return Err(EngineError::Refused(
            "the engine detached the command".into(),
        ));
    };
    let mut out = ExecOutput::default();
    let (mut so, mut se) = (Capped::new(cap, Keep::Head), Capped::new(cap, Keep::Head));
    let read = async {
        while let Some(chunk) = output.next().await {
            let Ok(chunk) = chunk else { break };
            let (buf, bytes) = match chunk {
                LogOutput::StdOut { message } | LogOutput::Console { message } => {
                    (&mut so, message)
                }
                LogOutput::StdErr { message } => (&mut se, message),
                LogOutput::StdIn { .. } => continue,
            };
            buf.push(&bytes);
        }
        Cut {
            stdout: so.overflowed(),
            stderr: se.overflowed(),
            ..Cut::default()
        }
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(truncated) => out.truncated = truncated,
        Err(_) => out.timed_out = true,
    }
    drop(output);
    out.stdout = so.text();
    out.stdout_bytes = so.bytes().to_vec();
    out.stderr = se.text();
    if !out.timed_out {
        // The stream ended: the command has exited; its code follows shortly. A busy
        // engine may take a while to record it: up to a second, within the runner's grace.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            match docker.inspect_exec(&created.id).await {
                Ok(i) if i.running == Some(false) => {
                    out.exit = i.exit_code;
                    break;
                }
                // Every 10 ms: health probes and checks wait on this, one after another.
                Ok(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Ok(_) => break,
                Err(e) => {
                    return Err(EngineError::engine("reading the command's exit code")(e));
                }
            }
        }
    }
    Ok(out)
}

type Reader = Pin<Box<dyn AsyncRead + Send>>;
type Writer = Pin<Box<dyn AsyncWrite + Send>>;
type Output = Pin<Box<dyn Stream<Item = std::io::Result<LogChunk>> + Send>>;

/// A command attached to its caller: what it prints (stdout and stderr; with a terminal,
/// all of it comes as stdout), what it is typed, its terminal's size, and its exit code.
pub struct Attached {
    engine: Engine,
    exec_id: String,
    pub output: Output,
    pub input: Writer,
}

impl Attached {
    /// Output and input as one duplex byte stream (for expect sessions).
    pub fn duplex(self) -> tokio::io::Join<Reader, Writer> {
        let bytes = self.output.map(|c| {
            c.map(|c| match c {
                LogChunk::Stdout(b) | LogChunk::Stderr(b) => bytes::Bytes::from(b),
            })
        });
        let reader: Reader = Box::pin(StreamReader::new(bytes));
        tokio::io::join(reader, self.input)
    }

    /// A handle that outlives the streams: resize and exit code.
    pub fn handle(&self) -> ExecHandle {
        ExecHandle {
            engine: self.engine.clone(),
            exec_id: self.exec_id.clone(),
        }
    }
}

/// What can still be done with an attached command once its streams are taken.
#[derive(Clone)]
pub struct ExecHandle {
    engine: Engine,
    exec_id: String,
}

impl ExecHandle {
    /// Tell the command its terminal's size.
    pub async fn resize(&self, width: u16, height: u16) {
        let _ = self
            .engine
            .api()
            .resize_exec(&self.exec_id, ResizeExecOptions { height, width })
            .await;
    }

    /// The exit code, once the command has ended (its streams close a moment before the
    /// engine records the code: wait a little for it).
    pub async fn exit_code(&self) -> Option<i64> {
        for _ in 0..50 {
            let info = self.engine.api().inspect_exec(&self.exec_id).await.ok()?;
            if info.running != Some(true) {
                return info.exit_code;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Whether the command still runs, and its process id on the engine's host.
    pub async fn running(&self) -> Option<(bool, i64)> {
        let info = self.engine.api().inspect_exec(&self.exec_id).await.ok()?;
        Some((info.running == Some(true), info.pid.unwrap_or(0)))
    }
}

/// Start `cmd` in the container, attached; with a terminal (`tty`) or, like `docker exec
/// -i`, with plain pipes (the end of the input ends the command's input).
pub async fn attach(
    engine: &Engine,
    id: &str,
    cmd: Vec<String>,
    env: Vec<String>,
    tty: bool,
) -> Result<Attached, EngineError> {
    let docker = engine.api();
    let doing = format!("starting {} in the container", cmd.join(" "));
    let created = docker
        .create_exec(
            id,
            CreateExecOptions {
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(tty),
                env: Some(env),
                cmd: Some(cmd),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| exec_error(&doing, e))?;
    super::events::mark_own_exec(&created.id);
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty,
                output_capacity: None,
            }),
        )
        .await
        .map_err(|e| exec_error("attaching to the container", e))?;
    let StartExecResults::Attached { output, input } = started else {
        return Err(EngineError::Refused(
            "the engine detached the session".into(),
        ));
    };
    let output = output.filter_map(|chunk| async move {
        match chunk {
            Ok(LogOutput::StdIn { .. }) => None,
            Ok(LogOutput::StdErr { message }) => Some(Ok(LogChunk::Stderr(message.to_vec()))),
            Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                Some(Ok(LogChunk::Stdout(message.to_vec())))
            }
            Err(e) => Some(Err(std::io::Error::other(e.to_string()))),
        }
    });
    Ok(Attached {
        engine: engine.clone(),
        exec_id: created.id,
        output: Box::pin(output),
        input,
    })
}
