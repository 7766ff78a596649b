//! `lab watch [ID]`: grade again whenever the environment or the workspace changes, until
//! Ctrl-C; a checklist that turns green, or (`--json`) one JSON object per re-grade.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::session::grade::GradeOptions;
use crate::session::record;
use crate::session::watch::{Regrade, WatchError, WatchOptions, rfc3339, watch};
use crate::ui::{Style, checklist::Checklist, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab to watch (default: the lab running on the engine).
    id: Option<String>,
    /// The project it was started in (default: the lab id).
    #[arg(long)]
    project: Option<String>,
    /// Where `file` and `command` checks look (default: the current folder).
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// One JSON object per re-grade, one per line.
    #[arg(long)]
    json: bool,
    /// Poll the workspace every this many milliseconds instead of waiting for change
    /// events (for file systems that send none; found by itself for network drives).
    #[arg(long, value_name = "MS")]
    poll: Option<u64>,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let running = context::running(global, args.id.as_deref(), args.project.as_deref()).await?;
    let lab = context::lab(&running.course, &running.lab)?;
    let opts = WatchOptions {
        grade: GradeOptions {
            project: running.project.clone(),
            workspace: args
                .workspace
                .clone()
                .unwrap_or_else(|| std::env::current_dir().unwrap_or_default()),
            only: Vec::new(),
            jobs: 8,
            host: Default::default(),
        },
        tick: Duration::from_secs(20),
        debounce: Duration::from_millis(60),
        poll: args.poll.map(Duration::from_millis),
    };
    // The store is opened once; if it cannot be, watching goes on and says so once.
    let store = record::open();
    if let Err(why) = &store {
        output::err(&format!("note: re-grades will not be recorded: {why}\n"));
    }
    let store = store.ok();
    let style = Style::detect(global.color, false);
    let mut list = (!args.json).then(|| Checklist::new(std::io::stdout().is_terminal(), style));
    let course = running.course.id.clone();
    // The checklist and the store live in the closure: dropped with it, the terminal is
    // restored.
    let mut on_regrade = move |r: &Regrade| {
        if r.changed {
            let attempt = record::attempt(&course, lab, &r.report, r.started_ms, "watch");
            let _ = record::record(store.as_ref(), &attempt);
        }
        match list.as_mut() {
            Some(l) => l.draw(r),
            None => output::out(&format!("{}\n", json_line(r))),
        }
    };
    let result = watch(&running.engine, lab, &opts, &mut on_regrade, cancel).await;
    drop(on_regrade);
    match result {
        Ok(()) => Err(CliError::Interrupted(None)),
        Err(WatchError::Grade(e)) => Err(e.into()),
        Err(e) => Err(CliError::Environment(e.to_string())),
    }
}

/// `{"at", "cause", "score", "max_score", "checks": [{"id", "status"}]}` (PRODUCT.md).
fn json_line(r: &Regrade) -> serde_json::Value {
    serde_json::json!({
        "at": rfc3339(r.at_ms),
        "cause": r.cause,
        "score": r.report.score,
        "max_score": r.report.max_score,
        "checks": r.report.checks.iter().map(|c| serde_json::json!({
            "id": c.id,
            "status": c.status,
        })).collect::<Vec<_>>(),
    })
}
