//! TAP version 13 (what Perl's prove and most harnesses read; prove rejects version 14).

use super::Report;
use crate::checks::Status;

pub fn render(r: &Report) -> String {
    let mut out = format!("TAP version 13\n1..{}\n", r.checks.len());
    for (i, c) in r.checks.iter().enumerate() {
        let n = i + 1;
        let title = c.title.replace('#', "\\#");
        match c.status {
            Status::Pass => out.push_str(&format!("ok {n} - {title}\n")),
            Status::Fail | Status::Blocked | Status::Error => {
                out.push_str(&format!("not ok {n} - {title}\n"));
                out.push_str("  ---\n");
                out.push_str(&format!("  id: {}\n", yaml_str(&c.id)));
                out.push_str(&format!("  status: {}\n", c.status.as_str()));
                out.push_str(&format!("  message: {}\n", yaml_str(&c.message)));
                if let Some(h) = &c.hint {
                    out.push_str(&format!("  hint: {}\n", yaml_str(h)));
                }
                out.push_str(&format!("  points: {}/{}\n", c.points, c.max_points));
                out.push_str("  ...\n");
            }
        }
    }
    out.push_str(&format!("# score {}/{}\n", r.score, r.max_score));
    out
}

/// A YAML scalar that is always safe: JSON strings are valid YAML.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}
