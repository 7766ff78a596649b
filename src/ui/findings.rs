//! `lab doctor`'s findings for the terminal: one line each, ✓ / ! / ✗, the fix beneath
//! what is not fine.

use super::Style;
use crate::session::doctor::{Finding, Status};

pub fn render(findings: &[Finding], style: &Style) -> String {
    let width = findings.iter().map(|f| f.topic.len()).max().unwrap_or(0);
    let mut out = String::new();
    for f in findings {
        let mark = match f.status {
            Status::Ok => style.green("✓"),
            Status::Warn => style.yellow("!"),
            Status::Fail => style.red("✗"),
        };
        out.push_str(&format!("{mark} {:<width$}  {}\n", f.topic, f.text));
        if let Some(fix) = &f.fix {
            out.push_str(&format!(
                "  {:<width$}  {}\n",
                "",
                style.dim(&format!("→ {fix}"))
            ));
        }
    }
    let (fail, warn) = (
        findings.iter().filter(|f| f.status == Status::Fail).count(),
        findings.iter().filter(|f| f.status == Status::Warn).count(),
    );
    out.push_str(&match (fail, warn) {
        (0, 0) => style.green("nothing stands in the way of the course\n"),
        (0, w) => format!("nothing blocks the course ({w} to know about)\n"),
        (f, _) => style.red(&format!(
            "{f} thing{} to fix before the labs can run\n",
            if f == 1 { "" } else { "s" }
        )),
    });
    out
}
