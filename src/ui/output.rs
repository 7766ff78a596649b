//! Writing to stdout and stderr. A closed pipe (`lab list | head -1`) is not an error.

use std::io::Write;

/// Write to stdout; a broken pipe ends quietly.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Write to stderr; errors writing errors are dropped (there is nowhere left to say them).
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|_| stderr.flush());
}
