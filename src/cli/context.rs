//! What most commands need first: the course, loaded, or a clear reason why not.

use std::process::ExitCode;

use super::Global;
use crate::course::{LoadOptions, diag::nearest, find_course_root, load_course};
use crate::exit;
use crate::model::{Course, Lab};
use crate::ui::{Style, output};

/// Load the course, or print why not (every mistake, with its place) and give exit code 2.
pub fn course(global: &Global) -> Result<Course, ExitCode> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = find_course_root(global.course.as_deref(), &cwd).map_err(|d| {
        output::err(&d.render(None, false));
        exit::code(exit::INVALID_INPUT)
    })?;
    let opts = LoadOptions {
        allow_unsafe: global.allow_unsafe,
    };
    load_course(&root, &opts).map_err(|diags| {
        let style = Style::detect(global.color, true);
        output::err(&diags.render(&root, style.color));
        output::err(&format!(
            "{} in the course at {}; run `lab lint` for details\n",
            count(diags.len(), "error"),
            root.display()
        ));
        exit::code(exit::INVALID_INPUT)
    })
}

/// The lab with this id, or a message naming the labs there are.
pub fn lab<'c>(course: &'c Course, id: &str) -> Result<&'c Lab, ExitCode> {
    course.lab(id).ok_or_else(|| {
        let ids: Vec<&str> = course.labs.iter().map(|l| l.id.as_str()).collect();
        let mut msg = format!("error: no lab \"{id}\" in this course");
        if let Some(near) = nearest(id, &ids) {
            msg.push_str(&format!(" (did you mean \"{near}\"?)"));
        }
        msg.push_str(&format!("\nthe labs: {}\n", ids.join(", ")));
        output::err(&msg);
        exit::code(exit::INVALID_INPUT)
    })
}

pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The lab (and project) a command means: the ID given (project: `--project`, else the
/// ID), or the one lab of this course found running on the engine.
pub async fn target(
    docker: &bollard::Docker,
    course: &Course,
    id: Option<&str>,
    project: Option<&str>,
) -> Result<(String, String), ExitCode> {
    if let Some(id) = id {
        lab(course, id)?;
        return Ok((id.to_string(), project.unwrap_or(id).to_string()));
    }
    let running = crate::engine::running_labs(docker).await.map_err(|e| {
        output::err(&format!(
            "error: could not list the engine's containers: {e}\n"
        ));
        exit::code(exit::ENVIRONMENT)
    })?;
    let ours: Vec<_> = running
        .into_iter()
        .filter(|r| course.lab(&r.lab).is_some())
        .filter(|r| project.is_none_or(|p| r.project == p))
        .collect();
    match ours.as_slice() {
        [one] => Ok((one.lab.clone(), one.project.clone())),
        [] => {
            output::err(
                "error: no lab of this course is running; name one (e.g. `lab status week1`) or start it with `lab start ID`\n",
            );
            Err(exit::code(exit::INVALID_INPUT))
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
            output::err(&format!(
                "error: several labs are running: {}; name the one you mean\n",
                names.join(", ")
            ));
            Err(exit::code(exit::INVALID_INPUT))
        }
    }
}

/// Connect to the engine, or say why not (exit code 3).
pub async fn engine() -> Result<bollard::Docker, ExitCode> {
    crate::engine::connect().await.map_err(|e| {
        output::err(&format!("error: {e}\n"));
        exit::code(exit::ENVIRONMENT)
    })
}

/// What a command on a running lab needs: the course, the engine, the lab and its project.
pub struct Running {
    pub course: Course,
    pub docker: bollard::Docker,
    pub lab: String,
    pub project: String,
}

/// Load the course, connect, and pick the lab (see [`target`]); each failure is already
/// reported, with its exit code.
pub async fn running(
    global: &super::Global,
    id: Option<&str>,
    project: Option<&str>,
) -> Result<Running, ExitCode> {
    let course = self::course(global)?;
    let docker = engine().await?;
    let (lab, project) = target(&docker, &course, id, project).await?;
    Ok(Running {
        course,
        docker,
        lab,
        project,
    })
}

/// The container of `service` in the running lab (see [`running`]), with the engine.
pub async fn service_container(
    global: &super::Global,
    lab: Option<&str>,
    project: Option<&str>,
    service: &str,
) -> Result<(bollard::Docker, crate::checks::docker::Found), ExitCode> {
    let Running {
        docker, project, ..
    } = running(global, lab, project).await?;
    match crate::checks::docker::find_service(&docker, &project, service).await {
        Ok(found) => Ok((docker, found)),
        Err(e) => {
            output::err(&format!("error: {e}\n"));
            Err(exit::code(exit::INVALID_INPUT))
        }
    }
}
