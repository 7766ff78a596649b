//! A test lab made of a stack and check blocks in the lab format, and its checks run
//! against the engine the way `lab check` runs them: what the tests of check kinds share.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lab::checks::{CheckResult, RunContext, Status, run_checks};
use lab::course::{LoadOptions, parse_lab};
use lab::engine::Engine;
use lab::model::Lab;

use super::IMAGE;

/// `testlab`: the stack block `stack` (it names the services) and one task of `checks`.
pub fn test_lab(stack: &str, checks: &[impl AsRef<str>]) -> Lab {
    let mut text = format!("---\ntitle: Test lab\ntimeout: 8s\n---\n\n{stack}\n## Task one\n\n");
    for c in checks {
        text.push_str(&format!("```yaml check\n{}\n```\n\n", c.as_ref()));
    }
    parse_lab(
        &text,
        "testlab",
        Path::new("labs/testlab/README.md"),
        Path::new("/tmp"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("test lab has errors:\n{d}\n{text}"))
}

/// The lab's checks on `project`, four at a time, 8 s each, the test image as helper.
pub async fn run_lab_checks(
    engine: Option<Engine>,
    project: &str,
    lab: &Lab,
    workspace: &Path,
) -> Vec<CheckResult> {
    let mut ctx = RunContext::new(
        engine,
        project,
        workspace.to_path_buf(),
        workspace.to_path_buf(),
    );
    ctx.default_timeout = Duration::from_secs(8);
    ctx.helper_image = IMAGE.into();
    run_checks(Arc::new(ctx), &lab.checks, 4, &|_| {}).await
}

/// The lab's checks on `project` on the engine the environment names (see [`run_lab_checks`]).
pub async fn run_on_engine(project: &str, lab: &Lab, workspace: &Path) -> Vec<CheckResult> {
    let engine = lab::engine::connect().await.expect("engine");
    run_lab_checks(Some(engine), project, lab, workspace).await
}

/// Each check's id and status, in lab order.
pub fn statuses(results: &[CheckResult]) -> Vec<(String, Status)> {
    results.iter().map(|r| (r.id.clone(), r.status)).collect()
}

/// Each check's status, in lab order, as `want` says; the messages when not.
pub fn assert_statuses<S: AsRef<str>>(results: &[CheckResult], want: &[(S, Status)]) {
    let want: Vec<(String, Status)> = want
        .iter()
        .map(|(id, s)| (id.as_ref().to_string(), *s))
        .collect();
    assert_eq!(
        statuses(results),
        want,
        "{:#?}",
        results
            .iter()
            .map(|r| format!("{}: {}", r.id, r.message))
            .collect::<Vec<_>>()
    );
}
