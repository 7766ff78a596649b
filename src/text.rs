//! Text for people from bytes that programs and containers print: made printable, capped.
//! Shared by every layer that shows output (engine errors, checks' evidence, reports).

/// At most `max` bytes of `text` (on a char boundary), with a note when cut.
pub fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} more bytes not shown)",
        &text[..end],
        text.len() - end
    )
}

/// Bytes to text for people: invalid UTF-8 and control characters (other than newline and
/// tab) become visible escapes, so binary garbage cannot corrupt a terminal or a report.
pub fn printable(bytes: &[u8]) -> String {
    printable_text(&String::from_utf8_lossy(bytes))
}

/// Terminal escape sequences taken out: colours and cursor moves (`ESC [ … letter`), titles
/// (`ESC ] … BEL` or `ESC ] … ESC \\`) and two-byte ones (`ESC letter`). What a program
/// printed for a terminal, as a person reading that terminal saw it; all else is kept.
pub fn without_escapes(bytes: &[u8]) -> Vec<u8> {
    const ESC: u8 = 0x1b;
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != ESC {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            // CSI: parameters and intermediates, then one final byte.
            Some(b'[') => {
                let mut j = i + 2;
                while j < bytes.len() && (0x20..=0x3f).contains(&bytes[j]) {
                    j += 1;
                }
                // A final byte ends it; anything else (cut off, not a sequence) is dropped
                // up to there, never past it.
                i = if j < bytes.len() && (0x40..=0x7e).contains(&bytes[j]) {
                    j + 1
                } else {
                    j
                };
            }
            // OSC: up to BEL or ESC \ (or the end).
            Some(b']') => {
                let mut j = i + 2;
                while j < bytes.len() && bytes[j] != 0x07 && bytes[j] != ESC {
                    j += 1;
                }
                i = match bytes.get(j) {
                    Some(0x07) => j + 1,
                    Some(_) if bytes.get(j + 1) == Some(&b'\\') => j + 2,
                    _ => j,
                };
            }
            // Others: intermediates (0x20-0x2f), then a final byte: `ESC ( B`, `ESC =`.
            Some(_) => {
                let mut j = i + 1;
                while j < bytes.len() && (0x20..=0x2f).contains(&bytes[j]) {
                    j += 1;
                }
                if j < bytes.len() && (0x30..=0x7e).contains(&bytes[j]) {
                    i = j + 1;
                } else {
                    out.push(ESC);
                    i += 1;
                }
            }
            None => {
                out.push(ESC);
                i += 1;
            }
        }
    }
    out
}

/// [`printable`] for text already decoded (a student's file read with [`file_text`]).
pub fn printable_text(text: &str) -> String {
    use std::fmt::Write;
    // One string, no allocation per character: logs of megabytes pass through here.
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => {}
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A student's file as text, in the encodings Windows editors and shells save: a UTF-8 byte
/// order mark is dropped (Notepad's "UTF-8 with BOM", PowerShell 5.1's `-Encoding UTF8`),
/// and a file that starts with a UTF-16 one is UTF-16 (PowerShell 5.1's `>`). Anything else
/// is UTF-8, invalid bytes replaced. For files only: program output has no such marks.
pub fn file_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let units = |rest: &[u8], unit: fn([u8; 2]) -> u16| -> String {
        let chunks = rest.chunks_exact(2);
        // A cut (the read cap) may leave half a unit at the end.
        let odd = if chunks.remainder().is_empty() {
            ""
        } else {
            "\u{FFFD}"
        };
        let words = chunks.map(|c| unit([c[0], c[1]]));
        let mut text: String = char::decode_utf16(words)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        text.push_str(odd);
        text
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return units(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return units(rest, u16::from_be_bytes);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// A shell script as bash can run it, when a Windows editor saved it otherwise: the marks
/// [`file_text`] reads (a UTF-8 or UTF-16 byte order mark) gone, as plain UTF-8, and CRLF
/// line ends made LF (bash takes each `\r` as part of the line: `set -eu\r` fails). `None`
/// when there is nothing to change; else the bytes and what was changed. Other bytes are
/// kept as they are (no lossy decoding of a script that is not UTF-8).
pub fn unix_script(bytes: &[u8]) -> Option<(Vec<u8>, Vec<&'static str>)> {
    let mut changed = Vec::new();
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        changed.push("a UTF-8 byte order mark");
        rest.to_vec()
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        changed.push("UTF-16");
        file_text(bytes).into_bytes()
    } else {
        bytes.to_vec()
    };
    if !text.windows(2).any(|w| w == b"\r\n") {
        return (!changed.is_empty()).then_some((text, changed));
    }
    changed.push("Windows line endings (CRLF)");
    let mut out = Vec::with_capacity(text.len());
    for (i, &b) in text.iter().enumerate() {
        if !(b == b'\r' && text.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    Some((out, changed))
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A byte buffer that keeps at most `cap` bytes: the first ones (`Keep::Head`) or the last
/// ones (`Keep::Tail`), counting what it dropped. Whatever a process or container prints,
/// memory stays bounded.
#[derive(Debug, Clone)]
pub struct Capped {
    buf: Vec<u8>,
    cap: usize,
    keep: Keep,
    dropped: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Head,
    Tail,
}

impl Capped {
    pub fn new(cap: usize, keep: Keep) -> Capped {
        Capped {
            buf: Vec::new(),
            cap,
            keep,
            dropped: 0,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        match self.keep {
            Keep::Head => {
                let room = self.cap.saturating_sub(self.buf.len());
                let n = bytes.len().min(room);
                self.buf.extend_from_slice(&bytes[..n]);
                self.dropped += (bytes.len() - n) as u64;
            }
            Keep::Tail => {
                self.buf.extend_from_slice(bytes);
                if self.buf.len() > self.cap {
                    let cut = self.buf.len() - self.cap;
                    self.buf.drain(..cut);
                    self.dropped += cut as u64;
                }
            }
        }
    }

    /// Whether anything was dropped.
    pub fn overflowed(&self) -> bool {
        self.dropped > 0
    }

    pub fn full(&self) -> bool {
        self.buf.len() >= self.cap
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Everything pushed, kept or not.
    pub fn total(&self) -> u64 {
        self.buf.len() as u64 + self.dropped
    }

    pub fn text(&self) -> String {
        printable(&self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_go_and_the_text_stays() {
        let seen = |b: &[u8]| String::from_utf8_lossy(&without_escapes(b)).into_owned();
        assert_eq!(
            seen(b"Uvicorn running on \x1b[1mhttp://0.0.0.0:8000\x1b[0m (Press CTRL+C)"),
            "Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C)"
        );
        assert_eq!(
            seen(b"\x1b[38;5;196mred\x1b[m\tkey\tvalue\r\n"),
            "red\tkey\tvalue\r\n"
        );
        assert_eq!(seen(b"\x1b]0;title\x07after"), "after");
        assert_eq!(seen(b"\x1b]0;title\x1b\\after"), "after");
        assert_eq!(seen(b"\x1b(Bplain\x1b=x"), "plainx");
        // Cut off, or not a sequence: nothing after it is lost.
        assert_eq!(seen(b"line\x1b[12"), "line");
        assert_eq!(seen(b"a\x1b[\nb"), "a\nb");
        assert_eq!(seen(b"a\x1b"), "a\x1b");
        assert_eq!(seen("é\x1b[0m€".as_bytes()), "é€");
    }

    #[test]
    fn caps_on_char_boundaries() {
        let s = "é".repeat(10);
        let c = cap(&s, 5);
        assert!(c.starts_with("éé") && c.contains("more bytes"));
        assert_eq!(cap("short", 10), "short");
    }

    #[test]
    fn printable_escapes_control_bytes() {
        assert_eq!(printable(b"a\x1b[31mb\r\n\x00"), "a\\x1b[31mb\n\\x00");
    }

    #[test]
    fn files_from_windows_tools_decode() {
        // Notepad "UTF-8 with BOM", PowerShell 5.1 `Set-Content -Encoding UTF8`.
        assert_eq!(
            file_text(b"\xEF\xBB\xBFpassphrase: x\r\n"),
            "passphrase: x\r\n"
        );
        // PowerShell 5.1 `echo "k: é" > answers.md`: UTF-16LE with its mark.
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in "k: é\r\n😀".encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(file_text(&le), "k: é\r\n😀");
        assert_eq!(file_text(&be), "k: é\r\n😀");
        // An unpaired surrogate and half a unit cut off by the read cap are replaced.
        assert_eq!(
            file_text(&[0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b']),
            "a\u{FFFD}\u{FFFD}"
        );
        // No mark: UTF-8 as it is, a BOM later in the file left alone.
        assert_eq!(file_text("a\u{feff}b".as_bytes()), "a\u{feff}b");
        assert_eq!(file_text(b"a\xFFb"), "a\u{FFFD}b");
        assert_eq!(file_text(b""), "");
    }

    #[test]
    fn scripts_from_windows_editors_become_unix_ones() {
        let (crlf, changed) = unix_script(b"set -eu\r\necho \xe9\r\n").expect("changed");
        assert_eq!(crlf, b"set -eu\necho \xe9\n");
        assert_eq!(changed, ["Windows line endings (CRLF)"]);
        let (bom, changed) = unix_script(b"\xEF\xBB\xBFset -eu\n").expect("changed");
        assert_eq!(
            (&bom[..], changed),
            (&b"set -eu\n"[..], vec!["a UTF-8 byte order mark"])
        );
        let mut le = vec![0xFF, 0xFE];
        for u in "set -eu\r\necho é\r\n".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        let (utf16, changed) = unix_script(&le).expect("changed");
        assert_eq!(utf16, "set -eu\necho é\n".as_bytes());
        assert_eq!(changed, ["UTF-16", "Windows line endings (CRLF)"]);
        // A lone CR (inside a printf, say) is the script's own.
        assert!(unix_script(b"printf 'a\rb'\n").is_none());
        assert!(unix_script(b"").is_none());
    }

    #[test]
    fn capped_keeps_head_or_tail() {
        let mut h = Capped::new(4, Keep::Head);
        h.push(b"abc");
        h.push(b"def");
        assert_eq!((h.bytes(), h.overflowed()), (&b"abcd"[..], true));
        let mut t = Capped::new(4, Keep::Tail);
        t.push(b"abc");
        t.push(b"def");
        assert_eq!(t.bytes(), b"cdef");
        assert_eq!(last_lines("a\nb\nc", 2), "b\nc");
    }
}
