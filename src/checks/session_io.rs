//! What an interactive session reads, made matchable: ANSI sequences (colours, cursor
//! queries such as busybox ash's `ESC[6n`) and carriage returns are removed across chunk
//! boundaries (strip-ansi-escapes keeps its parser's state between writes), and the clean
//! text is kept as the transcript.

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// What a session printed, ANSI-free, capped.
#[derive(Clone, Default)]
pub struct Transcript(Arc<Mutex<Vec<u8>>>);

/// The transcript keeps at most this much (the start is dropped first).
const TRANSCRIPT_CAP: usize = 64 * 1024;

impl Transcript {
    fn push(&self, bytes: &[u8]) {
        if let Ok(mut t) = self.0.lock() {
            t.extend_from_slice(bytes);
            if t.len() > TRANSCRIPT_CAP {
                let cut = t.len() - TRANSCRIPT_CAP;
                t.drain(..cut);
            }
        }
    }

    /// The last `max` bytes, as text.
    pub fn tail(&self, max: usize) -> String {
        let t = self.0.lock().map(|t| t.clone()).unwrap_or_default();
        let start = t.len().saturating_sub(max);
        crate::text::printable(&t[start..])
    }
}

/// The stripper's output: bytes it wrote, waiting to be read.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

/// Reads through the stripper into the transcript; writes pass through.
pub struct Recorder<S> {
    inner: S,
    stripper: strip_ansi_escapes::Writer<Sink>,
    stripped: Sink,
    transcript: Transcript,
    ready: Vec<u8>,
}

/// A private-use character no program prints, for a tab through the stripper.
const TAB_STAND_IN: &str = "\u{E009}";

fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

impl<S> Recorder<S> {
    pub fn new(inner: S, transcript: Transcript) -> Self {
        let stripped = Sink::default();
        Recorder {
            inner,
            stripper: strip_ansi_escapes::Writer::new(stripped.clone()),
            stripped,
            transcript,
            ready: Vec::new(),
        }
    }

    /// Strip one chunk; the clean bytes join the transcript and wait to be read.
    fn clean(&mut self, raw: &[u8]) {
        // The stripper drops every control character but the newline: a tab passes it as a
        // printable stand-in (`PID\t1` must not become `PID1`).
        let raw = replace(raw, b"\t", TAB_STAND_IN.as_bytes());
        // The stripper buffers by line: flush so that a prompt without a newline shows now.
        let _ = self.stripper.write_all(&raw);
        let _ = self.stripper.flush();
        let clean = replace(&self.stripped.take(), TAB_STAND_IN.as_bytes(), b"\t");
        self.transcript.push(&clean);
        self.ready.extend_from_slice(&clean);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorder<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            if !self.ready.is_empty() {
                let n = buf.len().min(self.ready.len());
                buf[..n].copy_from_slice(&self.ready[..n]);
                self.ready.drain(..n);
                return Poll::Ready(Ok(n));
            }
            let mut raw = [0u8; 4096];
            let this = &mut *self;
            match Pin::new(&mut this.inner).poll_read(cx, &mut raw) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                // All escape bytes leave nothing to read: read on rather than report a
                // zero-length read (which would mean the end).
                Poll::Ready(Ok(n)) => this.clean(&raw[..n]),
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorder<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_across_chunks() {
        let mut r = Recorder::new((), Transcript::default());
        r.clean(b"/ # \x1b[6");
        r.clean(b"necho hi\r\n\x1b[31mred\x1b[0m \x1b]0;title\x07ok");
        assert_eq!(String::from_utf8_lossy(&r.ready), "/ # echo hi\nred ok");
    }

    #[test]
    fn tabs_stay_tabs() {
        let mut r = Recorder::new((), Transcript::default());
        r.clean(b"PID\tCMD\r\n");
        r.clean(b"1\t\x1b[1msh\x1b[0m\r\n");
        assert_eq!(String::from_utf8_lossy(&r.ready), "PID\tCMD\n1\tsh\n");
    }
}
