//! `exec`: a command in a container; its exit code and output are matched.

use super::Refs;
use super::fields::{exit_matcher, opt_matcher};
use crate::course::decode::action::exec_fields;
use crate::course::decode::{Ctx, Fields, Schema};
use crate::course::yaml::Node;
use crate::model::ExecCheck;

const EXEC: Schema = Schema::known(&[
    "service",
    "replica",
    "container",
    "cmd",
    "user",
    "workdir",
    "env",
    "exit",
    "stdout",
    "stderr",
]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str, refs: &mut Refs) -> Option<ExecCheck> {
    let f = Fields::open(ctx, body, what, &EXEC, false)?;
    let spec = exec_fields(ctx, &f, refs);
    let exit = exit_matcher(ctx, &f);
    let stdout = opt_matcher(ctx, &f, "stdout");
    let stderr = opt_matcher(ctx, &f, "stderr");
    Some(ExecCheck {
        spec: spec?,
        exit: exit?,
        stdout: stdout?,
        stderr: stderr?,
    })
}
