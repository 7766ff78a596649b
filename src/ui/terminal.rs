//! The terminal in raw mode, restored on every exit path: normal return, error, panic.

use std::sync::atomic::{AtomicBool, Ordering};

static RAW: AtomicBool = AtomicBool::new(false);

/// Raw mode for as long as the guard lives.
pub struct RawMode {
    _private: (),
}

impl RawMode {
    /// Enter raw mode; also make a panic restore the terminal before printing.
    pub fn enter() -> std::io::Result<RawMode> {
        crossterm::terminal::enable_raw_mode()?;
        RAW.store(true, Ordering::SeqCst);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        Ok(RawMode { _private: () })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    if RAW.swap(false, Ordering::SeqCst) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// The window's size as (columns, rows), when there is a terminal.
pub fn size() -> Option<(u16, u16)> {
    crossterm::terminal::size()
        .ok()
        .filter(|(c, r)| *c > 0 && *r > 0)
}

/// Columns to lay text out in: the window's width when stdout is a terminal, else `COLUMNS`
/// when set (shells export it to scripts and pagers), else 80.
pub fn columns() -> usize {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal()
        && let Some((cols, _)) = size()
    {
        return usize::from(cols);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .unwrap_or(80)
}
