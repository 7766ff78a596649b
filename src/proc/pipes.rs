//! A child's stdout and stderr, each read to its end on a task of its own into a capped
//! buffer: what came survives a time-out, a kill and a pipe that something else holds
//! open, and memory stays bounded whatever the child prints.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::Notify;

use crate::text::{Capped, Keep};

/// The two pipes of a child being read.
pub struct Pipes {
    out: Reader,
    err: Reader,
    flood: Arc<Flood>,
}

/// What one pipe gave.
#[derive(Debug, Clone, Default)]
pub struct PipeOutput {
    /// What was kept, as text.
    pub text: String,
    /// How many bytes came in all, kept or not.
    pub total: u64,
    /// More came than was kept.
    pub overflowed: bool,
    /// Reading stopped before the pipe's end: a program outside the child's group (as
    /// `timeout` or `setsid` start one) still held it open, and may have had more to say.
    pub held: bool,
}

/// Both streams together past a limit: the child floods.
struct Flood {
    limit: Option<u64>,
    printed: AtomicU64,
    noticed: Notify,
}

impl Pipes {
    /// Read the child's piped stdout and stderr, keeping `cap` bytes of each (the first
    /// or the last). With a `limit`, reading stops once both together passed it, and
    /// [`Pipes::flooded`] says so.
    pub fn spawn(
        child: &mut tokio::process::Child,
        cap: usize,
        keep: Keep,
        limit: Option<u64>,
    ) -> Pipes {
        let flood = Arc::new(Flood {
            limit,
            printed: AtomicU64::new(0),
            noticed: Notify::new(),
        });
        Pipes {
            out: Reader::spawn(child.stdout.take(), cap, keep, flood.clone()),
            err: Reader::spawn(child.stderr.take(), cap, keep, flood.clone()),
            flood,
        }
    }

    /// Resolves once the streams together passed the limit (never without one).
    pub async fn flooded(&self) {
        if self.flood.limit.is_some() {
            self.flood.noticed.notified().await;
        } else {
            std::future::pending::<()>().await;
        }
    }

    /// Wait until both pipes reached their end, or `most` passed (cancel-safe: another
    /// call goes on where this one stopped).
    pub async fn settle(&mut self, most: Duration) {
        let _ = tokio::time::timeout(most, async {
            self.out.finish().await;
            self.err.finish().await;
        })
        .await;
    }

    /// Stop reading: what each pipe gave, stdout first.
    pub fn stop(self) -> (PipeOutput, PipeOutput) {
        (self.out.stop(), self.err.stop())
    }
}

type Shared = Arc<Mutex<Capped>>;

/// One pipe read on a task of its own, into a buffer kept beside it.
struct Reader {
    task: tokio::task::JoinHandle<()>,
    kept: Shared,
    done: bool,
}

impl Reader {
    fn spawn<R: AsyncRead + Unpin + Send + 'static>(
        pipe: Option<R>,
        cap: usize,
        keep: Keep,
        flood: Arc<Flood>,
    ) -> Reader {
        let kept = Arc::new(Mutex::new(Capped::new(cap, keep)));
        Reader {
            task: tokio::spawn(drain(pipe, kept.clone(), flood)),
            kept,
            done: false,
        }
    }

    async fn finish(&mut self) {
        if !self.done {
            let _ = (&mut self.task).await;
            self.done = true;
        }
    }

    fn stop(self) -> PipeOutput {
        // A reader stopped at a flood has finished too: what it kept is all there is.
        let done = self.done || self.task.is_finished();
        self.task.abort();
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        PipeOutput {
            text: kept.text(),
            total: kept.total(),
            overflowed: kept.overflowed(),
            held: !done,
        }
    }
}

/// Read a pipe to its end (or to a flood) into `kept`.
async fn drain<R: AsyncRead + Unpin>(pipe: Option<R>, kept: Shared, flood: Arc<Flood>) {
    let Some(mut pipe) = pipe else {
        return;
    };
    let mut buf = vec![0u8; 8192];
    while let Ok(n) = pipe.read(&mut buf).await {
        if n == 0 {
            break;
        }
        kept.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(&buf[..n]);
        let printed = flood.printed.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if flood.limit.is_some_and(|l| printed > l) {
            // notify_one keeps the word for a waiter that comes later.
            flood.noticed.notify_one();
            return;
        }
    }
}
