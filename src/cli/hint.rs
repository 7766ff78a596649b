//! `lab hint ID [CHECK]`: the hints of a lab, or of one check.

use super::{Global, context};
use crate::exit;
use crate::ui::{Style, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lab.
    id: String,
    /// One check's id (default: every check that has a hint).
    check: Option<String>,
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let course = context::course(global)?;
    let lab = context::lab(&course, &args.id)?;
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
