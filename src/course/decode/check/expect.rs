//! `expect`: a program under a pseudo-terminal, driven by send / expect steps.

use super::Refs;
use crate::course::decode::action::fields_target;
use crate::course::decode::matcher::regex_ok;
use crate::course::decode::stack::command;
use crate::course::decode::{Ctx, Fields, Schema, boolean, string};
use crate::course::yaml::Node;
use crate::model::{CommandLine, Dur, ExpectCheck, ExpectStep, Target};

const EXPECT: Schema = Schema::known(&[
    "service",
    "replica",
    "container",
    "host",
    "spawn",
    "run",
    "steps",
]);
const STEP: Schema = Schema::known(&["send", "expect", "expect_eof", "send_control", "timeout"]);

pub(super) fn decode(
    ctx: &mut Ctx,
    body: &Node,
    what: &str,
    refs: &mut Refs,
) -> Option<ExpectCheck> {
    let f = &Fields::open(ctx, body, what, &EXPECT, false)?;
    let on_host = match f.get("host") {
        Some(n) => boolean(ctx, n, &f.field("host"))?,
        None => f.has("spawn"),
    };
    let target = if on_host {
        if f.has("service") || f.has("container") {
            ctx.error(
                f.pos,
                format!(
                    "{} runs on the host and in a container at once; give one",
                    f.what
                ),
            );
            return None;
        }
        Target::Host
    } else {
        fields_target(ctx, f, refs)?
    };
    if f.has("spawn") && f.has("run") {
        ctx.error(
            f.pos,
            format!("{} has both \"spawn\" and \"run\"; give one", f.what),
        );
        return None;
    }
    let run = match f.get("spawn").or(f.get("run")) {
        Some(n) => command(ctx, n, &f.field("run"))?,
        None => CommandLine::Shell("sh".into()),
    };
    let steps_node = f.required(ctx, "steps")?;
    let Some(items) = steps_node.as_seq() else {
        ctx.error(
            steps_node.pos,
            format!(
                "expected a list of steps for {}, found {}",
                f.field("steps"),
                steps_node.kind_name()
            ),
        );
        return None;
    };
    if items.is_empty() {
        ctx.error(steps_node.pos, format!("{} has no steps", f.what));
        return None;
    }
    let mut steps = Vec::new();
    let mut ok = true;
    for item in items {
        match step(ctx, item) {
            Some(s) => steps.push(s),
            None => ok = false,
        }
    }
    ok.then_some(ExpectCheck { target, run, steps })
}

fn step(ctx: &mut Ctx, node: &Node) -> Option<ExpectStep> {
    let errors_before = ctx.diags.len();
    let f = Fields::open(ctx, node, "an expect step", &STEP, false)?;
    let actions: Vec<&str> = ["send", "expect", "expect_eof", "send_control"]
        .into_iter()
        .filter(|k| f.has(k))
        .collect();
    // A misspelt action (`sned:`) was just reported with its suggestion; "found none"
    // would only repeat it.
    if actions.is_empty() && ctx.diags.len() > errors_before {
        return None;
    }
    if actions.len() != 1 {
        ctx.error(f.pos, format!(
            "an expect step does exactly one of send, expect, expect_eof, send_control; found {}",
            if actions.is_empty() { "none".to_string() } else { actions.join(", ") }
        ));
        return None;
    }
    let timeout = f.dur(ctx, "timeout");
    // Only a wait has a timeout to cut (a send's is not used).
    let waits = matches!(actions[0], "expect" | "expect_eof");
    if let (true, Some(t), Some(n)) = (waits, timeout, f.get("timeout"))
        && t.0 > ctx.check_timeout
    {
        let limit = Dur(ctx.check_timeout);
        ctx.warning(
            n.pos,
            format!("this step may wait {t}, but its check gets {limit} in all: the step is cut at {limit}"),
        )
        .help = Some(format!(
            "give the check a \"timeout\" of {t} or more (beside its \"id\")"
        ));
    }
    Some(match actions[0] {
        "send" => ExpectStep::Send(f.str(ctx, "send")?),
        "expect" => {
            let n = f.get("expect")?;
            let pattern = string(ctx, n, "\"expect\" of a step")?;
            regex_ok(ctx, &pattern, n.pos)?;
            ExpectStep::Expect { pattern, timeout }
        }
        "expect_eof" => {
            if f.bool(ctx, "expect_eof") != Some(true) {
                return None;
            }
            ExpectStep::ExpectEof { timeout }
        }
        _ => {
            let n = f.get("send_control")?;
            let s = string(ctx, n, "\"send_control\"")?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() || "[\\]^_@".contains(c) => {
                    ExpectStep::SendControl(c.to_ascii_lowercase())
                }
                _ => {
                    ctx.error(
                        n.pos,
                        format!("send_control takes one letter (c for Ctrl-C), found \"{s}\""),
                    );
                    return None;
                }
            }
        }
    })
}
