//! Actions a check runs first (`before:`), to test behaviour and not only state.

use serde::Serialize;

use super::check::Target;
use super::stack::CommandLine;
use super::units::Dur;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Stop(Target),
    Start(Target),
    Restart(Target),
    /// A crash: the signal reaches the main process from outside (see LAB_FORMAT.md §4.3).
    Kill(KillAction),
    Pause(Target),
    Unpause(Target),
    Exec(ExecSpec),
    Sleep(Dur),
    Disconnect(ConnectAction),
    Connect(ConnectAction),
    /// A shell command on the student's machine, in the workspace (an extension): a
    /// student's script run the way a task says to run it. Its exit code does not matter;
    /// the check looks at what it changed.
    Command(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KillAction {
    pub target: Target,
    /// A signal name without the `SIG` prefix, upper case (`KILL`, `TERM`).
    pub signal: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectAction {
    pub target: Target,
    /// The network as the stack names it (resolved to `<project>-<name>`) or an engine name.
    pub network: String,
    pub aliases: Vec<String>,
}

/// A command run in a container (the `exec` check kind and the `exec` action share it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecSpec {
    pub target: Target,
    pub cmd: CommandLine,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub env: Vec<(String, String)>,
}
