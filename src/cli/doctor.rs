//! `lab doctor`: is this machine ready for the course? Exit 0 when nothing blocks, 3 when
//! something does.

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global};
use crate::course::{LoadOptions, find_course_root, load_course};
use crate::exit;
use crate::session::doctor::{self, CourseState};
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON: {"version": 1, "ok": …, "findings": [{status, topic, subject, text, fix}]}.
    #[arg(long)]
    json: bool,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    // A broken or absent course is a finding, not a reason to stop looking.
    let cwd = std::env::current_dir().unwrap_or_default();
    let loaded = find_course_root(global.course.as_deref(), &cwd)
        .ok()
        .map(|root| {
            let opts = LoadOptions {
                allow_unsafe: global.allow_unsafe,
            };
            load_course(&root, &opts)
        });
    let state = match &loaded {
        Some(Ok(c)) => CourseState::Loaded(c),
        Some(Err(diags)) => CourseState::Invalid(diags.errors()),
        None => CourseState::NotFound,
    };
    let store = crate::progress::default_path();
    let findings = tokio::select! {
        f = doctor::examine(state, store) => f,
        _ = cancel.cancelled() => return Err(CliError::Interrupted(None)),
    };
    if args.json {
        let doc = serde_json::json!({
            "version": 1,
            "ok": !doctor::blocked(&findings),
            "findings": findings,
        });
        output::out(&format!("{doc:#}\n"));
    } else {
        let style = Style::detect(global.color, false);
        output::out(&crate::ui::findings::render(&findings, &style));
    }
    Ok(if doctor::blocked(&findings) {
        exit::ENVIRONMENT
    } else {
        exit::OK
    })
}
