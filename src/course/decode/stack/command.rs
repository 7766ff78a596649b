//! How a service's process is started and stopped: command lines (`command`, `entrypoint`,
//! and `cmd` of checks and actions) and signal names.

use crate::course::decode::{Ctx, string};
use crate::course::yaml::{Node, Value};
use crate::model::CommandLine;

/// A string (run by a shell) or a list (run as is).
pub fn command(ctx: &mut Ctx, node: &Node, what: &str) -> Option<CommandLine> {
    match &node.value {
        Value::Str(s) => Some(CommandLine::Shell(s.clone())),
        Value::Seq(items) => Some(CommandLine::Exec(
            items.iter().filter_map(|n| string(ctx, n, what)).collect(),
        )),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a string or a list for {what}, found {}",
                    node.kind_name()
                ),
            );
            None
        }
    }
}

/// `SIGTERM`, `term`, `15` → the upper-case name without `SIG` (`TERM`); `None` if unknown.
pub fn normalize_signal(sig: &str) -> Option<String> {
    crate::model::signal::normalize(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        assert_eq!(normalize_signal("SIGTERM").as_deref(), Some("TERM"));
        assert_eq!(normalize_signal("kill").as_deref(), Some("KILL"));
        assert_eq!(normalize_signal("9").as_deref(), Some("KILL"));
        assert_eq!(normalize_signal("SIGFOO"), None);
    }
}
