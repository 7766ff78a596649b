//! The course as plain data: what the loader produces and every later stage reads.
//!
//! Nothing here does I/O. Each type mirrors a part of the lab format (LAB_FORMAT.md), in
//! typed form: durations, sizes and ports are parsed, names are resolved, defaults applied.

mod action;
mod check;
mod course;
mod matcher;
pub mod signal;
mod stack;
mod units;

pub use action::{Action, ConnectAction, ExecSpec, KillAction};
pub use check::{
    AnswerCheck, AnswerExpect, AnswerInspect, Check, CheckKind, CommandCheck, ContainerCheck,
    DnsCheck, DockerfileCheck, ExecCheck, ExpectCheck, ExpectStep, FileCheck, HttpCheck,
    ImageCheck, InspectAssertion, InspectSource, KindTag, LogStream, LogsCheck, MountCheck,
    NetworkCheck, Port, Target, TcpCheck, VolumeCheck,
};
pub use course::{Course, Lab, Part, Submission, Task};
pub use matcher::{Literal, Matcher};
pub use stack::{
    Build, CommandLine, Dependency, DependencyCondition, EnvVar, HealthTest, Healthcheck, Logging,
    Mount, MountKind, NetworkDef, PortSpec, Protocol, PullPolicy, RestartPolicy, Service,
    ServiceNetwork, Stack, VolumeDef,
};
pub use units::{ByteSize, DEFAULT_CHECK_TIMEOUT, Dur};
