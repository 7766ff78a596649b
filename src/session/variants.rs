//! Other ways to do a lab, right and wrong, that `lab verify` grades on a fresh lab each: a
//! correct solution written differently must pass, a plausible wrong one must fail exactly
//! the checks it names. They live in `solutions/<id>/variants/*.sh`, each opening with a
//! line that says what it must get:
//!
//! ```sh
//! #!/bin/sh
//! # verify: pass
//! ```
//! or `# verify: fail check-id other-check-id`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::grade::{GradeError, GradeOptions, grade};
use super::solve::{Script, SolveError};
use super::up::{UpError, UpOptions, up};
use super::verify::{Interrupted, Kept, VerifyOptions};
use super::{Events, down};
use crate::checks::Status;
use crate::engine::Engine;
use crate::model::{Course, Lab};

/// A variant's script may take as long as a solution.
const VARIANT_TIMEOUT: Duration = Duration::from_secs(300);

/// What a variant must get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Every check passes.
    Pass,
    /// Exactly these checks do not pass; every other one does.
    Fail(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub path: PathBuf,
    pub expect: Expect,
}

/// How a variant did.
#[derive(Debug, Clone, Serialize)]
pub struct VariantVerdict {
    pub name: String,
    pub expect: Expect,
    pub problems: Vec<String>,
}

impl VariantVerdict {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The lab's variants, in name order; a variant whose first lines do not say what it must
/// get, or that names a check the lab does not have, is a problem (as a sentence).
pub fn find(course: &Course, lab: &Lab) -> (Vec<Variant>, Vec<String>) {
    let dir = course.root.join("solutions").join(&lab.id).join("variants");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    paths.sort();
    let mut variants = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match parse_header(&text) {
            Some(Expect::Fail(ids)) => {
                let unknown: Vec<&String> =
                    ids.iter().filter(|id| lab.check(id).is_none()).collect();
                if !unknown.is_empty() {
                    problems.push(format!(
                        "variant {name}: names checks the lab does not have: {}",
                        unknown
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    continue;
                }
                variants.push(Variant {
                    name,
                    path,
                    expect: Expect::Fail(ids),
                });
            }
            Some(expect) => variants.push(Variant { name, path, expect }),
            None => problems.push(format!(
                "variant {name}: its first lines must say what it gets: \"# verify: pass\" or \"# verify: fail CHECK…\""
            )),
        }
    }
    (variants, problems)
}

/// `# verify: pass` or `# verify: fail a b`, among the comment lines at the top.
pub fn parse_header(text: &str) -> Option<Expect> {
    for line in text
        .lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
    {
        let Some(rest) = line.trim_start_matches('#').trim().strip_prefix("verify:") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        return match words.next() {
            Some("pass") if words.next().is_none() => Some(Expect::Pass),
            Some("fail") => {
                let ids: Vec<String> = words.map(str::to_string).collect();
                (!ids.is_empty()).then_some(Expect::Fail(ids))
            }
            _ => None,
        };
    }
    None
}

/// Start the lab fresh, run the variant, grade, stop: what it got against what it must.
pub async fn run(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    variant: &Variant,
    opts: &VerifyOptions,
    cancel: &CancellationToken,
) -> Result<(VariantVerdict, Option<Kept>), Interrupted> {
    let mut v = VariantVerdict {
        name: variant.name.clone(),
        expect: variant.expect.clone(),
        problems: Vec::new(),
    };
    let mut ws = None;
    let graded = up_run_grade(
        engine,
        course,
        lab,
        project,
        variant,
        (&mut v, &mut ws),
        opts,
        cancel,
    )
    .await;
    if let Ok(Some(results)) = &graded {
        judge(&variant.expect, results, opts.verbose, &mut v.problems);
    }
    if opts.keep && graded.is_ok() && !v.problems.is_empty() {
        let kept = Kept {
            project: project.to_string(),
            workspace: ws.map(tempfile::TempDir::keep),
            run: format!("variant {}", variant.name),
        };
        return Ok((v, Some(kept)));
    }
    let t = down::down(engine, project, true).await;
    for e in t.errors {
        v.problems.push(format!("stop: {e}"));
    }
    graded?;
    Ok((v, None))
}

#[allow(clippy::too_many_arguments)]
async fn up_run_grade(
    engine: &Engine,
    course: &Course,
    lab: &Lab,
    project: &str,
    variant: &Variant,
    (v, kept): (&mut VariantVerdict, &mut Option<tempfile::TempDir>),
    opts: &VerifyOptions,
    cancel: &CancellationToken,
) -> Result<Option<Vec<crate::checks::CheckResult>>, Interrupted> {
    let quiet = Events::default();
    match up(
        engine,
        &course.id,
        lab,
        project,
        &UpOptions::default(),
        &quiet,
        cancel,
    )
    .await
    {
        Ok(_) => {}
        Err(UpError::Interrupted { .. }) => return Err(Interrupted),
        Err(UpError::Failed { error, .. }) => {
            v.problems.push(format!("start: {error}"));
            return Ok(None);
        }
    }
    let ws = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            v.problems.push(format!("cannot make a workspace: {e}"));
            return Ok(None);
        }
    };
    let script = Script {
        shell: "sh".into(),
        path: variant.path.clone(),
        workspace: ws.path().to_path_buf(),
        env: super::verify::script_env(engine, course, lab, project, opts),
        timeout: VARIANT_TIMEOUT,
        output_cap: 16 * 1024,
        output_limit: None,
    };
    match super::solve::run(&script, cancel).await {
        Err(SolveError::Interrupted) => return Err(Interrupted),
        Err(e) => {
            v.problems.push(format!("the variant could not run: {e}"));
            return Ok(None);
        }
        Ok(r) if !r.ok() => {
            v.problems.push(format!(
                "the variant's script failed (exit {}): {}{}",
                r.exit
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "none: time-out".into()),
                crate::text::last_lines(&r.stdout, 5),
                crate::text::last_lines(&r.stderr, 5)
            ));
            return Ok(None);
        }
        Ok(_) => {}
    }
    let opts = GradeOptions {
        project: project.to_string(),
        workspace: ws.path().to_path_buf(),
        only: Vec::new(),
        jobs: 4,
        host: Default::default(),
    };
    let graded = grade(Some(engine), lab, &opts, &Events::default(), cancel).await;
    *kept = Some(ws);
    match graded {
        Ok(report) => Ok(Some(report.checks)),
        Err(GradeError::Interrupted { .. }) => Err(Interrupted),
        Err(e) => {
            v.problems.push(format!("could not grade: {e}"));
            Ok(None)
        }
    }
}

/// Every difference between what the checks gave and what the variant must get.
fn judge(
    expect: &Expect,
    results: &[crate::checks::CheckResult],
    verbose: bool,
    problems: &mut Vec<String>,
) {
    let must_fail: &[String] = match expect {
        Expect::Pass => &[],
        Expect::Fail(ids) => ids,
    };
    for r in results {
        let should_fail = must_fail.contains(&r.id);
        match (should_fail, r.status) {
            (true, Status::Pass) => problems.push(format!(
                "check {} passes, but this wrong way must not get it ({})",
                r.id, r.title
            )),
            (false, Status::Pass) | (true, _) => {}
            (false, _) => problems.push(format!(
                "check {} does not pass ({}): {}{}",
                r.id,
                r.status.as_str(),
                r.message,
                super::verify::evidence(r, verbose)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(
            parse_header("#!/bin/sh\n# verify: pass\necho"),
            Some(Expect::Pass)
        );
        assert_eq!(
            parse_header("#!/bin/sh\n# A fake script.\n# verify: fail a b\n"),
            Some(Expect::Fail(vec!["a".into(), "b".into()]))
        );
        assert_eq!(parse_header("#!/bin/sh\necho\n# verify: pass\n"), None);
        assert_eq!(parse_header("# verify: fail\n"), None);
        assert_eq!(parse_header("# verify: maybe\n"), None);
    }
}
