//! `lab images list|pull|save FILE|load FILE`: every image the course needs, fetched once
//! and carried to classrooms without a registry in one archive.

use std::io::IsTerminal;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::model::{Course, Lab};
use crate::session::images::{self as session, Got, ImagesError, Needed};
use crate::ui::{Style, images as view, live::Live, output};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The images: those the labs pull, those they build from their own files \
        (named <project>-<service>:lab, as `lab start` names them), the bases those builds \
        start FROM, and the helper image checks run (busybox:1.36).\n\n\
        A classroom without a registry, prepared once on a machine that has one:\n  \
        lab images pull && lab images save course-images.tar\n\
        then on each student machine:\n  \
        lab images load course-images.tar"
)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Each image: where it comes from, which labs use it, whether it is here (and its size).
    List {
        #[command(flatten)]
        which: Which,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pull what the labs pull and build what they build, with progress; exit 3 when some
    /// image could not be had.
    Pull {
        #[command(flatten)]
        which: Which,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write every image the course needs, built ones included, into one archive (the
    /// `docker save` format). Refuses when some are missing, unless --allow-missing.
    Save {
        /// The archive to write (replaced only once the new one is complete).
        file: PathBuf,
        #[command(flatten)]
        which: Which,
        /// Save the images that are here, and name the ones left out.
        #[arg(long)]
        allow_missing: bool,
    },
    /// Load an archive written by `lab images save` (or `docker save`); no registry needed.
    Load {
        /// The archive to load.
        file: PathBuf,
    },
}

/// Which labs' images, and under which project their built images are named.
#[derive(Debug, clap::Args)]
struct Which {
    /// The labs (default: every lab of the course).
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    /// The project the lab is started in (`lab start ID --project P`): built images are
    /// named after it. Only with one lab.
    #[arg(long)]
    project: Option<String>,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    match args.command {
        Sub::List { which, json } => list(global, &which, json).await,
        Sub::Pull { which, json } => pull(global, &which, json, cancel).await,
        Sub::Save {
            file,
            which,
            allow_missing,
        } => save(global, &which, &file, allow_missing, cancel).await,
        Sub::Load { file } => load(global, &file, cancel).await,
    }
}

/// The course, the engine, and the images the labs meant need, with what the engine has.
async fn needed(
    global: &Global,
    which: &Which,
) -> Result<(Course, crate::engine::Engine, Vec<Needed>), CliError> {
    let course = context::course(global)?;
    let labs: Vec<&Lab> = if which.ids.is_empty() {
        course.labs.iter().collect()
    } else {
        which
            .ids
            .iter()
            .map(|id| context::lab(&course, id))
            .collect::<Result<_, _>>()?
    };
    if which.project.is_some() && labs.len() != 1 {
        return Err(CliError::Invalid(
            "--project names the project of one lab: name that lab too (e.g. `lab images list week2 --project p`)".into(),
        ));
    }
    let mut needed = session::needed(&course, &labs, which.project.as_deref())?;
    let engine = context::engine().await?;
    session::look(&engine, &mut needed).await?;
    Ok((course, engine, needed))
}

async fn list(global: &Global, which: &Which, json: bool) -> CliResult {
    let (course, _engine, needed) = needed(global, which).await?;
    if json {
        let doc = serde_json::json!({ "version": 1, "course": course.id, "images": needed });
        output::out(&format!("{doc:#}\n"));
    } else {
        output::out(&view::list(&needed, Style::detect(global.color, false)));
        output::err(&view::list_summary(&needed));
    }
    Ok(exit::OK)
}

async fn pull(global: &Global, which: &Which, json: bool, cancel: &CancellationToken) -> CliResult {
    let (_course, engine, needed) = needed(global, which).await?;
    let live = Live::new(!json && std::io::stderr().is_terminal());
    let result = session::pull(&engine, &needed, &live.events().progress(), cancel).await;
    live.finish();
    let got = result.map_err(|e| images_error(e, "what was pulled or built so far stays"))?;
    if json {
        let rows: Vec<_> = needed
            .iter()
            .zip(&got)
            .map(|(n, g)| match g {
                Got::Failed(why) => {
                    serde_json::json!({ "name": n.name, "result": g.word(), "reason": why })
                }
                _ => serde_json::json!({ "name": n.name, "result": g.word() }),
            })
            .collect();
        let doc = serde_json::json!({ "version": 1, "images": rows });
        output::out(&format!("{doc:#}\n"));
    } else {
        output::out(&view::pulled(
            &needed,
            &got,
            Style::detect(global.color, false),
        ));
    }
    let failed = got.iter().filter(|g| matches!(g, Got::Failed(_))).count();
    if failed > 0 {
        output::err(&format!(
            "{failed} of {} could not be had\n",
            context::count(got.len(), "image")
        ));
        return Ok(exit::ENVIRONMENT);
    }
    Ok(exit::OK)
}

async fn save(
    global: &Global,
    which: &Which,
    file: &std::path::Path,
    allow_missing: bool,
    cancel: &CancellationToken,
) -> CliResult {
    let (_course, engine, needed) = needed(global, which).await?;
    let live = Live::new(std::io::stderr().is_terminal());
    let result = session::save(
        &engine,
        &needed,
        file,
        allow_missing,
        &live.events().progress(),
        cancel,
    )
    .await;
    live.finish();
    let saved = result.map_err(|e| images_error(e, "no archive was written"))?;
    let style = Style::detect(global.color, true);
    output::err(&format!(
        "{} {} ({}) to {}: {}\n",
        style.green("saved"),
        context::count(saved.images.len(), "image"),
        view::size_text(saved.bytes),
        file.display(),
        saved.images.join(", ")
    ));
    if !saved.left_out.is_empty() {
        output::err(&format!(
            "{} left out, not on this machine: {} (`lab images pull` gets them)\n",
            style.yellow("warning:"),
            saved.left_out.join(", ")
        ));
    }
    Ok(exit::OK)
}

async fn load(global: &Global, file: &std::path::Path, cancel: &CancellationToken) -> CliResult {
    let engine = context::engine().await?;
    let live = Live::new(std::io::stderr().is_terminal());
    let result = session::load(&engine, file, &live.events().progress(), cancel).await;
    live.finish();
    let loaded = result.map_err(|e| images_error(e, "the engine may have loaded some images"))?;
    let style = Style::detect(global.color, true);
    output::err(&format!(
        "{} {} from {}: {}\n",
        style.green("loaded"),
        context::count(loaded.len(), "image"),
        file.display(),
        loaded.join(", ")
    ));
    // Inside a course, say whether it now has everything (a course is not needed to load).
    if let Some(course) = quiet_course(global) {
        let labs: Vec<&Lab> = course.labs.iter().collect();
        if let Ok(mut needed) = session::needed(&course, &labs, None)
            && session::look(&engine, &mut needed).await.is_ok()
        {
            let missing: Vec<&str> = needed
                .iter()
                .filter(|n| !n.present)
                .map(|n| n.name.as_str())
                .collect();
            if missing.is_empty() {
                output::err("every image the course needs is here\n");
            } else {
                output::err(&format!(
                    "{} the course still needs: {}\n",
                    style.yellow("note:"),
                    missing.join(", ")
                ));
            }
        }
    }
    Ok(exit::OK)
}

/// The course, when there is one here that loads; nothing is printed when not.
fn quiet_course(global: &Global) -> Option<Course> {
    let cwd = std::env::current_dir().ok()?;
    let root = crate::course::find_course_root(global.course.as_deref(), &cwd).ok()?;
    let opts = crate::course::LoadOptions {
        allow_unsafe: global.allow_unsafe,
    };
    crate::course::load_course(&root, &opts).ok()
}

/// The error as the command's; `interrupted` says what an interruption left.
fn images_error(e: ImagesError, interrupted: &str) -> CliError {
    match e.exit_code() {
        exit::INVALID_INPUT => CliError::Invalid(e.to_string()),
        exit::INTERRUPTED => CliError::Interrupted(Some(interrupted.into())),
        _ => CliError::Environment(e.to_string()),
    }
}
