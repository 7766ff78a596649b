//! `lab verify [ID...]`: the course's own test. A table of results; non-zero on any problem.

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::session::Events;
use crate::session::verify::{Interrupted, LabVerdict, isolated, verify_lab};
use crate::ui::{Style, output, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The labs to verify (default: every lab of the course).
    ids: Vec<String>,
    /// How many labs may verify at once (labs with fixed host ports or container names
    /// always verify alone).
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Verify in projects named PREFIX<lab> (default: the lab id, as a student would).
    #[arg(long, default_value = "")]
    prefix: String,
}

pub async fn run(global: &Global, args: Args, cancel: &CancellationToken) -> CliResult {
    let course = context::course(global)?;
    let mut labs = Vec::new();
    if args.ids.is_empty() {
        labs.extend(course.labs.iter());
    } else {
        for id in &args.ids {
            labs.push(context::lab(&course, id)?);
        }
    }
    let engine = context::engine().await?;
    let style = Style::detect(global.color, true);
    let before = crate::engine::teardown::inventory(&engine).await?;
    let (together, alone): (Vec<_>, Vec<_>) = labs.iter().partition(|l| isolated(l));
    let mut verdicts: Vec<LabVerdict> = Vec::new();
    let report = |v: &LabVerdict| {
        let mark = if v.ok() {
            style.green("✓")
        } else {
            style.red("✗")
        };
        output::err(&format!(
            "{mark} {} ({:.1}s)\n",
            v.lab,
            v.duration.as_secs_f64()
        ));
    };
    let events = Events::default();
    let mut interrupted = false;
    let mut stream =
        futures_util::stream::iter(together.into_iter().map(|l: &crate::model::Lab| {
            let project = format!("{}{}", args.prefix, l.id);
            let (engine, course, events) = (&engine, &course, &events);
            async move { verify_lab(engine, course, l, &project, events, cancel).await }
        }))
        .buffer_unordered(args.jobs.max(1));
    // Every lab under way finishes its own clean-up before the stream ends.
    while let Some(v) = stream.next().await {
        match v {
            Ok(v) => {
                report(&v);
                verdicts.push(v);
            }
            Err(Interrupted) => interrupted = true,
        }
    }
    drop(stream);
    for l in alone {
        if interrupted || cancel.is_cancelled() {
            interrupted = true;
            break;
        }
        let project = format!("{}{}", args.prefix, l.id);
        match verify_lab(&engine, &course, l, &project, &events, cancel).await {
            Ok(v) => {
                report(&v);
                verdicts.push(v);
            }
            Err(Interrupted) => interrupted = true,
        }
    }
    if interrupted {
        return Err(CliError::Interrupted(Some(
            "the labs under verification were stopped".into(),
        )));
    }
    // Resources no lab labelled, left by a solution, are a failure too.
    // What appeared during the run and belongs to the projects verified here.
    let after = crate::engine::teardown::inventory(&engine).await?;
    let ours: Vec<String> = labs
        .iter()
        .map(|l| format!("{}{}", args.prefix, l.id))
        .collect();
    let leftovers: Vec<String> = after
        .iter()
        .filter(|(name, project)| {
            let new = !before.contains_key(*name);
            match project {
                Some(p) => new && ours.contains(p),
                // Unlabelled: count what is named after a verified project (week1-hello), not
                // what someone else is doing on the same engine meanwhile.
                None => {
                    new && ours.iter().any(|p| {
                        name.split_once(' ')
                            .is_some_and(|(_, n)| n.starts_with(p.as_str()))
                    })
                }
            }
        })
        .map(|(name, _)| name.clone())
        .collect();
    verdicts.sort_by_key(|v| labs.iter().position(|l| l.id == v.lab));
    let all_ok = verdicts.iter().all(LabVerdict::ok) && leftovers.is_empty();

    if args.json {
        let doc = serde_json::json!({ "version": 1, "ok": all_ok, "labs": verdicts, "leftovers": leftovers });
        output::out(&format!("{doc:#}\n"));
    } else {
        let out_style = Style::detect(global.color, false);
        let yes_no = |b: bool| {
            if b {
                out_style.green("yes")
            } else {
                out_style.red("no")
            }
        };
        let rows: Vec<Vec<String>> = verdicts
            .iter()
            .map(|v| {
                vec![
                    v.lab.clone(),
                    yes_no(v.fresh_ok),
                    yes_no(v.solved_ok),
                    yes_no(v.clean_ok),
                    format!("{:.1}s", v.duration.as_secs_f64()),
                ]
            })
            .collect();
        let mut text = table::render(
            &[
                "LAB",
                "FAILS FRESH",
                "PASSES SOLVED",
                "LEAVES NOTHING",
                "TIME",
            ],
            &rows,
            out_style,
        );
        for v in &verdicts {
            for p in &v.problems {
                text.push_str(&format!("{}: {p}\n", v.lab));
            }
        }
        if !leftovers.is_empty() {
            text.push_str(&format!(
                "left on the engine without lab's labels (label what solutions create with io.lab.project=$LAB_PROJECT): {}\n",
                leftovers.join(", ")
            ));
        }
        let passed = verdicts.iter().filter(|v| v.ok()).count();
        text.push_str(&format!(
            "{passed} passed, {} failed\n",
            verdicts.len() - passed
        ));
        output::out(&text);
    }
    Ok(if all_ok {
        exit::OK
    } else {
        exit::CHECKS_FAILED
    })
}
