//! One file per check kind; `run` dispatches.

pub mod answer;
pub mod command;
pub mod container;
pub mod dns;
pub mod dockerfile;
pub mod exec;
pub mod expect;
pub mod file;
pub mod http;
pub mod logs;
pub mod net;
pub mod objects;
pub mod tcp;

use std::time::Duration;

use super::context::RunContext;
use super::outcome::Outcome;
use crate::model::CheckKind;

/// One attempt of a check of any kind, bounded by `timeout`.
pub async fn run(ctx: &RunContext, kind: &CheckKind, timeout: Duration) -> Outcome {
    match kind {
        CheckKind::Exec(c) => exec::run(ctx, c, timeout).await,
        CheckKind::Expect(c) => expect::run(ctx, c, timeout).await,
        CheckKind::Http(c) => http::run(ctx, c, timeout).await,
        CheckKind::Tcp(c) => tcp::run(ctx, c, timeout).await,
        CheckKind::Dns(c) => dns::run(ctx, c, timeout).await,
        CheckKind::Container(c) => container::run(ctx, c, timeout).await,
        CheckKind::Network(c) => objects::network(ctx, c).await,
        CheckKind::Volume(c) => objects::volume(ctx, c).await,
        CheckKind::Image(c) => objects::image(ctx, c).await,
        CheckKind::Logs(c) => logs::run(ctx, c, timeout).await,
        CheckKind::File(c) => file::run(ctx, c, timeout).await,
        CheckKind::Command(c) => command::run(ctx, c, timeout).await,
        CheckKind::Answer(c) => answer::run(ctx, c).await,
        CheckKind::Dockerfile(c) => dockerfile::run(ctx, c).await,
    }
}
