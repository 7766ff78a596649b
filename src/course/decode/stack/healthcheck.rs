//! `healthcheck:` of a service.

use crate::course::decode::{Ctx, Fields, Schema, string};
use crate::course::yaml::{Node, Value};
use crate::model::{HealthTest, Healthcheck};

pub(super) const HEALTH: Schema = Schema {
    known: &[
        "test",
        "interval",
        "timeout",
        "retries",
        "start_period",
        "disable",
    ],
    unsupported: &["start_interval"],
};

pub(super) fn healthcheck(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Healthcheck> {
    let hwhat = format!("\"healthcheck\" in {what}");
    let f = Fields::open(ctx, node, &hwhat, &HEALTH, true)?;
    let test = match f.get("test") {
        None => None,
        Some(n) => match &n.value {
            Value::Str(s) => Some(HealthTest::CmdShell(s.clone())),
            Value::Seq(items) => {
                let words: Vec<String> = items
                    .iter()
                    .filter_map(|i| string(ctx, i, &hwhat))
                    .collect();
                match words.split_first() {
                    Some((first, rest)) if first == "NONE" => {
                        let _ = rest;
                        Some(HealthTest::None)
                    }
                    Some((first, rest)) if first == "CMD" && !rest.is_empty() => {
                        Some(HealthTest::Cmd(rest.to_vec()))
                    }
                    Some((first, rest)) if first == "CMD-SHELL" && rest.len() == 1 => {
                        Some(HealthTest::CmdShell(rest[0].clone()))
                    }
                    _ => {
                        ctx.error(n.pos, format!("a healthcheck test list must start with \"CMD\", \"CMD-SHELL\" or \"NONE\" ({hwhat})"))
                            .help = Some("e.g. [\"CMD-SHELL\", \"wget -qO- localhost:8080\"] or [\"CMD\", \"true\"]".into());
                        None
                    }
                }
            }
            _ => {
                ctx.error(
                    n.pos,
                    format!(
                        "expected a string or a list for \"test\" in {hwhat}, found {}",
                        n.kind_name()
                    ),
                );
                None
            }
        },
    };
    Some(Healthcheck {
        test,
        interval: f.dur(ctx, "interval"),
        timeout: f.dur(ctx, "timeout"),
        retries: f.int(ctx, "retries", 0, 10_000).map(|r| r as u32),
        start_period: f.dur(ctx, "start_period"),
        disable: f.bool(ctx, "disable").unwrap_or(false),
    })
}
