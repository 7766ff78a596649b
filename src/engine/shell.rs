//! An interactive terminal in a container, through the API (exec with a TTY, attached):
//! what the guide's dockerpty gives, without the docker CLI.

use std::io::{IsTerminal, Read, Write};

use bollard::Docker;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::error::EngineError;
use crate::ui::terminal::{RawMode, size};

/// The first of bash and sh the container has.
pub async fn default_shell(docker: &Docker, id: &str) -> Vec<String> {
    let probe = crate::checks::docker::ExecRequest {
        cmd: vec!["sh".into(), "-c".into(), "command -v bash".into()],
        ..Default::default()
    };
    match crate::checks::docker::exec(docker, id, &probe, std::time::Duration::from_secs(3), 1024)
        .await
    {
        Ok(out) if out.exit == Some(0) && !out.stdout.trim().is_empty() => vec!["bash".into()],
        _ => vec!["sh".into()],
    }
}

/// Run `cmd` in the container with the user's terminal attached; returns its exit code.
pub async fn shell(docker: &Docker, id: &str, cmd: Vec<String>) -> Result<i64, EngineError> {
    let interactive = std::io::stdin().is_terminal();
    let term = std::env::var("TERM").unwrap_or_else(|_| "xterm".into());
    let created = docker
        .create_exec(
            id,
            CreateExecOptions {
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(true),
                env: Some(vec![format!("TERM={term}")]),
                cmd: Some(cmd.clone()),
                ..Default::default()
            },
        )
        .await
        .map_err(EngineError::engine(format!(
            "starting {} in the container",
            cmd.join(" ")
        )))?;
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty: true,
                output_capacity: None,
            }),
        )
        .await
        .map_err(EngineError::engine("attaching to the container"))?;
    let StartExecResults::Attached {
        mut output,
        mut input,
    } = started
    else {
        return Err(EngineError::InvalidLab {
            service: String::new(),
            message: "the engine detached the session".into(),
        });
    };

    // Raw mode from here on; the guard restores the terminal however we leave.
    let _raw = if interactive {
        RawMode::enter().ok()
    } else {
        None
    };
    let resize = |docker: &Docker, exec: String| {
        let docker = docker.clone();
        async move {
            if let Some((w, h)) = size() {
                let _ = docker
                    .resize_exec(
                        &exec,
                        ResizeExecOptions {
                            height: h,
                            width: w,
                        },
                    )
                    .await;
            }
        }
    };
    resize(docker, created.id.clone()).await;

    // Keystrokes: read on a thread (stdin is blocking), forward to the exec's input.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let writer = tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if input.write_all(&bytes).await.is_err() || input.flush().await.is_err() {
                break;
            }
        }
    });
    let mut winch =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
    let mut stdout = std::io::stdout();
    loop {
        let next = async {
            match winch.as_mut() {
                Some(w) => tokio::select! {
                    chunk = output.next() => Some(chunk),
                    _ = w.recv() => None,
                },
                None => Some(output.next().await),
            }
        };
        match next.await {
            None => resize(docker, created.id.clone()).await,
            Some(None) => break,
            Some(Some(Ok(chunk))) => {
                let _ = stdout.write_all(&chunk.into_bytes());
                let _ = stdout.flush();
            }
            Some(Some(Err(_))) => break,
        }
    }
    writer.abort();
    let code = docker
        .inspect_exec(&created.id)
        .await
        .ok()
        .and_then(|i| i.exit_code)
        .unwrap_or(0);
    Ok(code)
}
