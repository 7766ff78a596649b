//! Byte streams for interactive sessions: an exec's attached stream as one duplex stream,
//! and a recorder that strips ANSI sequences for matching and keeps the transcript.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bollard::container::LogOutput;
use futures_io::{AsyncRead, AsyncWrite};
use futures_util::Stream;

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type Input = Pin<Box<dyn tokio::io::AsyncWrite + Send>>;

/// The output and input of an attached exec, joined into one stream.
pub struct ExecIo {
    output: Output,
    input: Input,
    pending: Vec<u8>,
}

impl ExecIo {
    pub fn new(output: Output, input: Input) -> Self {
        ExecIo {
            output,
            input,
            pending: Vec::new(),
        }
    }
}

impl AsyncRead for ExecIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            if !self.pending.is_empty() {
                let n = buf.len().min(self.pending.len());
                buf[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                return Poll::Ready(Ok(n));
            }
            match self.output.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(Ok(0)),
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Err(io::Error::other(e.to_string())));
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    let bytes = match chunk {
                        LogOutput::StdOut { message }
                        | LogOutput::StdErr { message }
                        | LogOutput::Console { message } => message,
                        LogOutput::StdIn { .. } => continue,
                    };
                    self.pending.extend_from_slice(&bytes);
                }
            }
        }
    }
}

impl AsyncWrite for ExecIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.input.as_mut().poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.input.as_mut().poll_flush(cx)
    }
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.input.as_mut().poll_shutdown(cx)
    }
}

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
        crate::checks::outcome::printable(&t[start..])
    }
}

/// ANSI escape sequences (colours, cursor queries such as busybox ash's `ESC[6n`) and
/// carriage returns are removed from what a session reads, across chunk boundaries.
#[derive(Default)]
pub struct AnsiStripper {
    state: Esc,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Esc {
    #[default]
    Text,
    Escape,
    Csi,
    Osc,
    OscEscape,
}

impl AnsiStripper {
    pub fn strip(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            self.state = match (self.state, b) {
                (Esc::Text, 0x1b) => Esc::Escape,
                (Esc::Text, b'\r') => Esc::Text,
                (Esc::Text, b) => {
                    out.push(b);
                    Esc::Text
                }
                (Esc::Escape, b'[') => Esc::Csi,
                (Esc::Escape, b']') => Esc::Osc,
                (Esc::Escape, _) => Esc::Text,
                (Esc::Csi, 0x40..=0x7e) => Esc::Text,
                (Esc::Csi, _) => Esc::Csi,
                (Esc::Osc, 0x07) => Esc::Text,
                (Esc::Osc, 0x1b) => Esc::OscEscape,
                (Esc::Osc, _) => Esc::Osc,
                (Esc::OscEscape, _) => Esc::Text,
            };
        }
    }
}

/// Reads through the stripper into the transcript; writes pass through.
pub struct Recorder<S> {
    inner: S,
    stripper: AnsiStripper,
    transcript: Transcript,
    ready: Vec<u8>,
}

impl<S> Recorder<S> {
    pub fn new(inner: S, transcript: Transcript) -> Self {
        Recorder {
            inner,
            stripper: AnsiStripper::default(),
            transcript,
            ready: Vec::new(),
        }
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
                Poll::Ready(Ok(n)) => {
                    let mut clean = Vec::with_capacity(n);
                    this.stripper.strip(&raw[..n], &mut clean);
                    this.transcript.push(&clean);
                    this.ready.extend_from_slice(&clean);
                    // All escape bytes: read on rather than report a zero-length read (EOF).
                }
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
        let mut s = AnsiStripper::default();
        let mut out = Vec::new();
        s.strip(b"/ # \x1b[6", &mut out);
        s.strip(
            b"necho hi\r\n\x1b[31mred\x1b[0m \x1b]0;title\x07ok",
            &mut out,
        );
        assert_eq!(String::from_utf8_lossy(&out), "/ # echo hi\nred ok");
    }
}
