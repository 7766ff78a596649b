//! `lab hint [ID] [CHECK]`: the hints of a lab, or of one check; the lab defaults to the
//! one running, as for `lab check`.

use super::{Global, context};
use crate::exit;
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab (default: the one running), or a check of the running lab.
    id: Option<String>,
    /// One check's id (default: every check that has a hint).
    check: Option<String>,
}

pub async fn run(global: &Global, args: Args) -> super::CliResult {
    let course = context::course(global)?;
    // `lab hint CHECK` with a lab running: the first word is a check, not a lab.
    let (lab_id, check) = match (args.id, args.check) {
        (Some(id), check) if course.lab(&id).is_some() => (id, check),
        // Two words: the first must be a lab; say so if it is not.
        (Some(id), Some(check)) => (context::lab(&course, &id)?.id.clone(), Some(check)),
        (first, check) => {
            let engine = context::engine().await?;
            let (running, _) = context::target(&engine, &course, None, None).await?;
            (running, first.or(check))
        }
    };
    let args = Args {
        id: Some(lab_id.clone()),
        check,
    };
    let lab = context::lab(&course, &lab_id)?;
    let style = Style::detect(global.color, false);
    let checks: Vec<_> = match &args.check {
        Some(id) => match lab.check(id) {
            Some(c) => vec![c],
            None => {
                let ids: Vec<&str> = lab.checks.iter().map(|c| c.id.as_str()).collect();
                output::err(&format!(
                    "error: lab {} has no check \"{id}\"; its checks: {}\n",
                    lab.id,
                    ids.join(", ")
                ));
                return Err(super::CliError::Reported(exit::INVALID_INPUT));
            }
        },
        None => lab.checks.iter().collect(),
    };
    let mut out = String::new();
    for c in checks {
        match &c.hint {
            Some(h) => out.push_str(&format!(
                "{} {}\n  {}\n",
                style.bold(&c.title),
                style.dim(&format!("({})", c.id)),
                h
            )),
            None if args.check.is_some() => out.push_str(&format!("{} has no hint\n", c.id)),
            None => {}
        }
    }
    if out.is_empty() {
        out.push_str("this lab has no hints\n");
    } else if !out.ends_with('\n') {
        out.push('\n');
    }
    output::out(&out);
    Ok(exit::OK)
}
