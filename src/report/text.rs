//! The report for people: grouped by task, ✓ ✗ !, score, hints under failures.

use super::Report;
use crate::checks::Status;
use crate::ui::Style;

pub fn render(r: &Report, verbose: bool, style: Style) -> String {
    let mut out = format!(
        "{} {}\n",
        style.bold(&r.lab),
        style.dim(&format!("· {}", r.title))
    );
    for (task, checks) in r.by_task() {
        out.push('\n');
        match task {
            Some(t) => out.push_str(&format!(
                "{}\n",
                style.bold(&format!("Task {}: {}", t.number, t.title))
            )),
            None => out.push_str(&format!("{}\n", style.bold("The lab as a whole"))),
        }
        for c in checks {
            let (mark, colour): (&str, fn(&Style, &str) -> String) = match c.status {
                Status::Pass => ("✓", Style::green),
                Status::Fail => ("✗", Style::red),
                Status::Blocked => ("–", Style::dim),
                Status::Error => ("!", Style::yellow),
            };
            let points = format!("{}/{}", c.points, c.max_points);
            out.push_str(&format!(
                "  {} {}  {}\n",
                colour(&style, mark),
                c.title,
                style.dim(&points)
            ));
            if c.status != Status::Pass {
                out.push_str(&format!("      {}\n", c.message));
                if let Some(h) = &c.hint {
                    out.push_str(&format!("      {} {}\n", style.cyan("hint:"), h));
                }
            }
            if verbose && !c.evidence.is_empty() {
                for line in c.evidence.lines() {
                    out.push_str(&format!("      {}\n", style.dim(&format!("│ {line}"))));
                }
            }
        }
    }
    let (p, f, b, e) = (
        r.count(Status::Pass),
        r.count(Status::Fail),
        r.count(Status::Blocked),
        r.count(Status::Error),
    );
    let mut summary = format!("{p} passed, {f} failed");
    if b > 0 {
        summary.push_str(&format!(", {b} blocked"));
    }
    if e > 0 {
        summary.push_str(&format!(", {e} could not run"));
    }
    let score = format!("Score: {}/{}", r.score, r.max_score);
    let score = if r.status == Status::Pass {
        style.green(&score)
    } else {
        style.bold(&score)
    };
    out.push_str(&format!("\n{score}  {summary}\n"));
    for n in &r.notes {
        out.push_str(&style.dim(&format!("note: {n}\n")));
    }
    out
}
