//! What most commands need first: the course, loaded, or a clear reason why not; the
//! engine; the lab a command means.

use super::Global;
use super::error::CliError;
use crate::course::{LoadOptions, diag::nearest, find_course_root, load_course};
use crate::engine::{Engine, Found, find};
use crate::exit;
use crate::model::{Course, Lab};
use crate::ui::{Style, output};

/// Load the course, or print why not (every mistake, with its place): exit code 2.
pub fn course(global: &Global) -> Result<Course, CliError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = find_course_root(global.course.as_deref(), &cwd).map_err(|d| {
        output::err(&d.render(None, false));
        CliError::Reported(exit::INVALID_INPUT)
    })?;
    let opts = LoadOptions {
        allow_unsafe: global.allow_unsafe,
    };
    load_course(&root, &opts).map_err(|diags| {
        let style = Style::detect(global.color, true);
        output::err(&diags.render(&root, style.color));
        output::err(&format!(
            "{} in the course at {}; run `lab lint` for details\n",
            count(diags.errors(), "error"),
            root.display()
        ));
        CliError::Reported(exit::INVALID_INPUT)
    })
}

/// The lab with this id, or a message naming the labs there are.
pub fn lab<'c>(course: &'c Course, id: &str) -> Result<&'c Lab, CliError> {
    course.lab(id).ok_or_else(|| {
        let ids: Vec<&str> = course.labs.iter().map(|l| l.id.as_str()).collect();
        let mut msg = format!("no lab \"{id}\" in this course");
        if let Some(near) = nearest(id, &ids) {
            msg.push_str(&format!(" (did you mean \"{near}\"?)"));
        }
        msg.push_str(&format!("\nthe labs: {}", ids.join(", ")));
        CliError::Invalid(msg)
    })
}

pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Connect to the engine, or say why not (exit code 3).
pub async fn engine() -> Result<Engine, CliError> {
    Ok(crate::engine::connect().await?)
}

/// The lab (and project) a command means: the ID given (project: `--project`, else the
/// ID), or the one lab of this course found running on the engine.
pub async fn target(
    engine: &Engine,
    course: &Course,
    id: Option<&str>,
    project: Option<&str>,
) -> Result<(String, String), CliError> {
    if let Some(id) = id {
        lab(course, id)?;
        return Ok((id.to_string(), project.unwrap_or(id).to_string()));
    }
    let running = crate::engine::running_labs(engine).await.map_err(|e| {
        CliError::Environment(format!("could not list the engine's containers: {e}"))
    })?;
    let ours: Vec<_> = running
        .into_iter()
        .filter(|r| course.lab(&r.lab).is_some())
        .filter(|r| project.is_none_or(|p| r.project == p))
        .collect();
    match ours.as_slice() {
        [one] => Ok((one.lab.clone(), one.project.clone())),
        [] => {
            let example = course.labs.first().map(|l| l.id.as_str()).unwrap_or("ID");
            Err(CliError::Invalid(format!(
                "no lab of this course is running; name one (e.g. `lab status {example}`) or start it with `lab start ID`"
            )))
        }
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|r| {
                    if r.lab == r.project {
                        r.lab.clone()
                    } else {
                        format!("{} (project {})", r.lab, r.project)
                    }
                })
                .collect();
            Err(CliError::Invalid(format!(
                "several labs are running: {}; name the one you mean",
                names.join(", ")
            )))
        }
    }
}

/// What a command on a running lab needs: the course, the engine, the lab and its project.
pub struct Running {
    pub course: Course,
    pub engine: Engine,
    pub lab: String,
    pub project: String,
}

/// Load the course, connect, and pick the lab (see [`target`]).
pub async fn running(
    global: &Global,
    id: Option<&str>,
    project: Option<&str>,
) -> Result<Running, CliError> {
    let course = self::course(global)?;
    let engine = engine().await?;
    let (lab, project) = target(&engine, &course, id, project).await?;
    Ok(Running {
        course,
        engine,
        lab,
        project,
    })
}

/// The container a command on a running lab means by `name`: a service of the lab's stack,
/// or a container by name (`week1-ticker`, or one the student made). Returns the engine,
/// the container and the lab's project.
pub async fn service_container(
    global: &Global,
    lab: Option<&str>,
    project: Option<&str>,
    name: &str,
) -> Result<(Engine, Found, String), CliError> {
    let Running {
        engine,
        project,
        course,
        lab,
    } = running(global, lab, project).await?;
    if let Some(found) = find::service(&engine, &project, name).await? {
        return Ok((engine, found, project));
    }
    for candidate in [name.to_string(), format!("{project}-{name}")] {
        if let Some(found) = find::container(&engine, &candidate).await? {
            return Ok((engine, found, project));
        }
    }
    let services: Vec<String> = course
        .lab(&lab)
        .and_then(|l| l.stack.as_ref())
        .map(|s| s.services.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let listed = if services.is_empty() {
        format!("{lab} has no services")
    } else {
        format!("the services of {lab}: {}", services.join(", "))
    };
    Err(CliError::Invalid(format!(
        "no service or container \"{name}\" in project {project}; {listed} (or name one of your containers)"
    )))
}
