//! `command`: a shell command on the host, in the workspace (the escape hatch).

use super::fields::{exit_matcher, opt_matcher};
use crate::course::decode::{Ctx, Fields, Schema};
use crate::course::yaml::Node;
use crate::model::CommandCheck;

const COMMAND: Schema = Schema::known(&["run", "exit", "stdout", "stderr"]);

pub(super) fn decode(ctx: &mut Ctx, body: &Node, what: &str) -> Option<CommandCheck> {
    let f = Fields::open(ctx, body, what, &COMMAND, false)?;
    let run = f.req_str(ctx, "run");
    let exit = exit_matcher(ctx, &f);
    let stdout = opt_matcher(ctx, &f, "stdout");
    let stderr = opt_matcher(ctx, &f, "stderr");
    Some(CommandCheck {
        run: run?,
        exit: exit?,
        stdout: stdout?,
        stderr: stderr?,
    })
}
