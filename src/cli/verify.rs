//! `lab verify [ID...]`: the course's own test. A table of results; non-zero on any problem.

use tokio_util::sync::CancellationToken;

use super::{CliError, CliResult, Global, context};
use crate::exit;
use crate::session::verify::{CourseVerdict, VerifyError, VerifyOptions, verify_course};
use crate::session::{Event, Events};
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
    /// Leave a lab that fails up (with its solution's workspace) and say how to inspect it.
    #[arg(long)]
    keep: bool,
    /// Show each failing check's evidence: output, stderr, exit code.
    #[arg(short, long)]
    verbose: bool,
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
    // Each lab's line as soon as it is verified.
    let events = Events::new(move |e| {
        if let Event::LabVerified { verdict: v } = e {
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
        }
    });
    let opts = VerifyOptions {
        prefix: args.prefix.clone(),
        jobs: args.jobs,
        keep: args.keep,
        verbose: args.verbose,
        ..VerifyOptions::default()
    };
    let verdict = verify_course(&engine, &course, &labs, &opts, &events, cancel)
        .await
        .map_err(|e| match e {
            VerifyError::Interrupted => {
                CliError::Interrupted(Some("the labs under verification were stopped".into()))
            }
            e @ VerifyError::Engine(_) => CliError::Environment(e.to_string()),
        })?;
    let all_ok = verdict.ok();
    let CourseVerdict {
        labs: verdicts,
        leftovers,
    } = verdict;

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
                let good = v.variants.iter().filter(|x| x.ok()).count();
                let variants = if v.variants.is_empty() {
                    out_style.dim("-")
                } else if good == v.variants.len() {
                    out_style.green(&format!("{good}/{}", v.variants.len()))
                } else {
                    out_style.red(&format!("{good}/{}", v.variants.len()))
                };
                vec![
                    v.lab.clone(),
                    yes_no(v.fresh_ok),
                    yes_no(v.solved_ok),
                    if v.kept.is_some() {
                        out_style.yellow("kept")
                    } else {
                        yes_no(v.clean_ok)
                    },
                    variants,
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
                "VARIANTS",
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
        for v in &verdicts {
            if let Some(k) = &v.kept {
                text.push_str(&kept_note(&v.lab, k));
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

/// How to look at a lab `--keep` left up, and how to remove it.
fn kept_note(lab: &str, k: &crate::session::verify::Kept) -> String {
    let p = &k.project;
    let ws = k
        .workspace
        .as_ref()
        .map(|w| format!(" --workspace {}", w.display()))
        .unwrap_or_default();
    format!(
        "{lab}: left up after its {run} failed, in project {p}; to look at it:\n  \
         lab check {lab} --project {p}{ws} -v\n  \
         lab status {lab} --project {p}\n  \
         docker ps -a --filter label=io.lab.project={p}\n\
         and to remove it: lab stop {lab} --project {p} --volumes\n",
        run = k.run
    )
}
