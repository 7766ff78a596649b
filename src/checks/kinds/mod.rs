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
mod http1;
pub mod logs;
pub mod net;
pub mod objects;
pub mod tcp;

use std::time::Duration;

use super::context::RunContext;
use super::outcome::Outcome;
use super::outcome::Status;
use crate::model::{CheckKind, Target};

/// One attempt of a check of any kind, bounded by `timeout`. A check of a service with
/// replicas (LAB_FORMAT §3) is a check of every replica ([`each_replica`]).
pub async fn run(ctx: &RunContext, kind: &CheckKind, timeout: Duration) -> Outcome {
    // Most labs have no replicas: no copy of the check on every attempt for them.
    if ctx.replicas.is_empty() {
        return run_kind(ctx, kind, timeout).await;
    }
    let mut kind = kind.clone();
    let replicated = match kind.target_mut() {
        Some(Target::Service(s)) => ctx.replicas.get(s.as_str()).map(|n| (s.clone(), *n)),
        _ => None,
    };
    let Some((service, n)) = replicated else {
        return run_kind(ctx, &kind, timeout).await;
    };
    each_replica(ctx, &service, n, |t| {
        let mut k = kind.clone();
        if let Some(target) = k.target_mut() {
            *target = t;
        }
        async move { run_kind(ctx, &k, timeout).await }
    })
    .await
}

/// A check of every replica of `service`, side by side (the attempt's time bound is the
/// check's, whatever the replica count): it passes when each one does, and a failure names
/// the replica.
pub(crate) async fn each_replica<F, Fut>(ctx: &RunContext, service: &str, n: u32, one: F) -> Outcome
where
    F: Fn(Target) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let outcomes = futures_util::future::join_all(
        (1..=n).map(|i| one(Target::Replica(service.to_string(), i))),
    )
    .await;
    let mut last = None;
    for (i, mut o) in (1..=n).zip(outcomes) {
        if o.status != Status::Pass {
            o.message = format!(
                "replica {i} of {n} ({}): {}",
                crate::engine::plan::replica_name(&ctx.project, service, i),
                o.message
            );
            return o;
        }
        last = Some(o);
    }
    let mut o = last.unwrap_or_else(|| Outcome::error("the service has no replicas"));
    o.message = format!("all {n} replicas: {}", o.message);
    o
}

async fn run_kind(ctx: &RunContext, kind: &CheckKind, timeout: Duration) -> Outcome {
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
