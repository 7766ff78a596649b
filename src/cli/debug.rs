//! `lab debug NAME`: the troubleshooting steps for one container, done and summed up.

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::course::{LoadOptions, find_course_root, load_course};
use crate::exit;
use crate::session::debug;
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A service of the running lab, or any container by name or id (your own too).
    name: String,
    /// The lab (default: the one running).
    #[arg(long)]
    lab: Option<String>,
    /// The project it was started in (default: the lab id).
    #[arg(long)]
    project: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let engine = context::engine().await?;
    // A course is not needed to debug a container: without one (or with no lab running)
    // the name is a container's.
    let cwd = std::env::current_dir().unwrap_or_default();
    let course = find_course_root(global.course.as_deref(), &cwd)
        .ok()
        .and_then(|root| {
            load_course(
                &root,
                &LoadOptions {
                    allow_unsafe: global.allow_unsafe,
                },
            )
            .ok()
        });
    // The lab NAME may be a service of: the one named, else the one running. Several
    // running is not an error while NAME may still be a container's.
    let mut unsure = None;
    let running = match &course {
        Some(c) if args.lab.is_some() || args.project.is_some() => {
            Some(context::target(&engine, c, args.lab.as_deref(), args.project.as_deref()).await?)
        }
        Some(c) => match context::target(&engine, c, None, None).await {
            Ok(r) => Some(r),
            Err(e) => {
                unsure = Some(e.to_string());
                None
            }
        },
        None => None,
    };
    let lab = running
        .as_ref()
        .and_then(|(lab, project)| Some((course.as_ref()?.lab(lab)?, project.as_str())));
    let Some(target) = debug::find_target(&engine, lab, &args.name).await? else {
        let place = match (&running, unsure) {
            (Some((lab, project)), _) => format!(
                "no service \"{}\" of {lab} (project {project}), and no container of that name",
                args.name
            ),
            (None, Some(why)) => format!("no container \"{}\" ({why})", args.name),
            (None, None) => format!("no container \"{}\"", args.name),
        };
        return Err(CliError::Invalid(format!(
            "{place}; `docker ps -a` lists the containers"
        )));
    };
    let d = debug::debug(&engine, &target, cancel).await?;
    if cancel.is_cancelled() {
        return Err(CliError::Interrupted(None));
    }
    if args.json {
        let doc = serde_json::json!({ "version": 1, "debug": d });
        output::out(&format!("{doc:#}\n"));
    } else {
        let style = Style::detect(global.color, false);
        output::out(&crate::ui::debug_view::render(&d, &style));
    }
    Ok(exit::OK)
}
