//! `lab debug NAME`: the troubleshooting steps for one container, done and summed up.

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::course::{LoadOptions, find_course_root, load_course};
use crate::engine::find;
use crate::exit;
use crate::session::debug::{self, Target};
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
    let running = match &course {
        Some(c) if args.lab.is_some() || args.project.is_some() => {
            Some(context::target(&engine, c, args.lab.as_deref(), args.project.as_deref()).await?)
        }
        Some(c) => context::target(&engine, c, None, None).await.ok(),
        None => None,
    };
    let mut found = None;
    let mut depends_on = Vec::new();
    if let (Some((lab, project)), Some(c)) = (&running, &course)
        && let Some(f) = find::service(&engine, project, &args.name).await?
    {
        depends_on = c
            .lab(lab)
            .and_then(|l| l.stack.as_ref())
            .and_then(|s| s.services.iter().find(|s| s.name == args.name))
            .map(|s| s.depends_on.iter().map(|d| d.service.clone()).collect())
            .unwrap_or_default();
        found = Some(f);
    }
    if found.is_none() {
        let mut names = vec![args.name.clone()];
        if let Some((_, project)) = &running {
            names.push(format!("{project}-{}", args.name));
        }
        for n in names {
            if let Some(f) = find::container(&engine, &n).await? {
                found = Some(f);
                break;
            }
        }
    }
    let Some(found) = found else {
        let place = match &running {
            Some((lab, project)) => format!(
                "no service \"{}\" of {lab} (project {project}), and no container of that name",
                args.name
            ),
            None => format!(
                "no container \"{}\" (and no lab of this course is running)",
                args.name
            ),
        };
        return Err(CliError::Invalid(format!(
            "{place}; `docker ps -a` lists the containers"
        )));
    };
    let target = Target {
        id: &found.id,
        project: running.as_ref().map(|(_, p)| p.as_str()),
        depends_on,
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
