//! `lab watch`'s checklist: the lab's checks with their state, the score, and the hint of
//! the first one to work on, redrawn in place on a terminal after each re-grade (a check
//! that just turned green is marked); printed as it comes otherwise. The cursor is hidden
//! while it runs and shown again however it ends.

use std::io::Write;

use crossterm::{cursor, execute, queue, terminal};

use super::Style;
use crate::checks::Status;
use crate::report::Report;
use crate::session::watch::{Cause, Regrade};

/// Draws re-grades; restores the terminal when dropped.
pub struct Checklist {
    live: bool,
    style: Style,
    /// Lines drawn last time (to draw over them).
    drawn: u16,
}

impl Checklist {
    /// `live`: redraw in place (a terminal); otherwise one block per re-grade.
    pub fn new(live: bool, style: Style) -> Checklist {
        if live {
            let _ = execute!(std::io::stdout(), cursor::Hide);
        }
        Checklist {
            live,
            style,
            drawn: 0,
        }
    }

    pub fn draw(&mut self, r: &Regrade) {
        let text = render(&r.report, &r.newly_passed, r.cause, r.polling, self.style);
        let mut out = std::io::stdout().lock();
        if !self.live && self.drawn > 0 {
            let _ = out.write_all(b"\n");
        }
        if self.live && self.drawn > 0 {
            let _ = queue!(
                out,
                cursor::MoveUp(self.drawn),
                terminal::Clear(terminal::ClearType::FromCursorDown)
            );
        }
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        self.drawn = u16::try_from(text.lines().count()).unwrap_or(u16::MAX);
    }
}

impl Drop for Checklist {
    fn drop(&mut self) {
        if self.live {
            let _ = execute!(std::io::stdout(), cursor::Show);
        }
    }
}

fn render(report: &Report, newly: &[String], cause: Cause, polling: bool, style: Style) -> String {
    let mut out = format!(
        "{} {}\n",
        style.bold(&report.lab),
        style.dim(&format!("· {}", report.title))
    );
    for c in &report.checks {
        let (mark, paint): (&str, fn(&Style, &str) -> String) = match c.status {
            Status::Pass => ("✓", Style::green),
            Status::Fail => ("✗", Style::red),
            Status::Blocked => ("–", Style::dim),
            Status::Error => ("!", Style::yellow),
        };
        let fresh = if newly.contains(&c.id) {
            style.green(" ← just now")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {} {}  {}{fresh}\n",
            paint(&style, mark),
            c.title,
            style.dim(&format!("{}/{}", c.points, c.max_points))
        ));
    }
    let score = format!("{}/{}", report.score, report.max_score);
    if report.status == Status::Pass {
        out.push_str(&format!(
            "\n{} every check passes: {} is done ({score})\n",
            style.green("✓"),
            report.lab
        ));
    } else {
        out.push_str(&format!("\nScore: {}\n", style.bold(&score)));
        if let Some(first) = report.checks.iter().find(|c| c.status != Status::Pass) {
            out.push_str(&format!("next: {} — {}\n", first.title, first.message));
            if let Some(h) = &first.hint {
                out.push_str(&format!("{} {h}\n", style.cyan("hint:")));
            }
        }
    }
    let why = match cause {
        Cause::Start => "graded",
        Cause::Docker => "graded again: the engine changed",
        Cause::File => "graded again: a file changed",
        Cause::Tick => "graded again: a regular look",
    };
    let how = if polling {
        "; files are polled (no change events on this file system)"
    } else {
        ""
    };
    out.push_str(&style.dim(&format!(
        "{why}{how} · watching for changes, Ctrl-C to stop\n"
    )));
    out
}
