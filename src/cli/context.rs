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

/// The lab running on the engine (found by its labels), when exactly one does.
pub async fn running_lab(docker: &bollard::Docker, course: &Course) -> Result<String, ExitCode> {
    let running = crate::engine::running_labs(docker).await.map_err(|e| {
        output::err(&format!("error: {e}\n"));
        exit::code(exit::ENVIRONMENT)
    })?;
    let ours: Vec<String> = running
        .into_iter()
        .filter(|id| course.lab(id).is_some())
        .collect();
    match ours.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            output::err(
                "error: no lab of this course is running; name one (e.g. `lab check week1`) or start it with `lab start ID`\n",
            );
            Err(exit::code(exit::INVALID_INPUT))
        }
        many => {
            output::err(&format!(
                "error: several labs are running ({}); name the one you mean\n",
                many.join(", ")
            ));
            Err(exit::code(exit::INVALID_INPUT))
        }
    }
}
