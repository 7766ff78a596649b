//! The user's terminal joined to a command in a container (`lab shell`): raw mode while it
//! runs (restored however we leave), keystrokes forwarded, the window's size followed.
//! Without a terminal on stdin it behaves as `docker exec -i`: the end of the input ends
//! the command's input.

use std::io::{IsTerminal, Read, Write};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::terminal::{RawMode, size};
use crate::engine::exec::Attached;
use crate::engine::logs::LogChunk;

/// How the session ended.
pub enum Ended {
    /// The command exited with this code.
    Exited(i64),
    /// Ctrl-C (a signal to `lab`, not a key: keys go to the command).
    Interrupted,
}

/// Whether the session should run with a terminal: only when stdin is one.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Pump bytes between the user and the command until it ends.
pub async fn run(attached: Attached, cancel: &CancellationToken) -> Ended {
    let interactive = interactive();
    let handle = attached.handle();
    let Attached {
        mut output,
        mut input,
        ..
    } = attached;
    // Raw mode from here on; the guard restores the terminal however we leave.
    let _raw = if interactive {
        RawMode::enter().ok()
    } else {
        None
    };
    if let Some((w, h)) = size() {
        handle.resize(w, h).await;
    }

    // Keystrokes: read on a thread (stdin is blocking), forward to the command's input; at
    // the end of the input, close it (the command sees end-of-file).
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
                return;
            }
        }
        let _ = input.shutdown().await;
    });
    let mut resizes = crate::platform::Resizes::watch();
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let ended = loop {
        tokio::select! {
            _ = cancel.cancelled() => break Ended::Interrupted,
            _ = resizes.changed() => {
                if let Some((w, h)) = size() {
                    handle.resize(w, h).await;
                }
            }
            chunk = output.next() => match chunk {
                Some(Ok(LogChunk::Stdout(b))) => {
                    let _ = out.write_all(&b).and_then(|_| out.flush());
                }
                Some(Ok(LogChunk::Stderr(b))) => {
                    let _ = err.write_all(&b).and_then(|_| err.flush());
                }
                Some(Err(_)) | None => break Ended::Exited(handle.exit_code().await.unwrap_or(0)),
            },
        }
    };
    writer.abort();
    ended
}
