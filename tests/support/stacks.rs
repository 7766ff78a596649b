//! A lab made of one stack, applied directly through the engine layer (no CLI): what the
//! provisioning tests share.

use std::path::Path;
use std::process::Command;

use lab::course::{LoadOptions, parse_lab};
use lab::engine::{ApplyOptions, EngineError, apply, new_run_id, plan, rollback};
use lab::model::Lab;
use serde_json::Value;

use super::Project;

pub fn lab_in(dir: &Path, stack: &str) -> Lab {
    let text = format!("---\ntitle: Engine test\n---\n\n```yaml stack\n{stack}```\n");
    parse_lab(
        &text,
        "enginelab",
        Path::new("labs/enginelab/README.md"),
        dir,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("test lab has errors:\n{d}\n{text}"))
}

pub async fn up(p: &Project, lab: &Lab) -> Result<lab::engine::Applied, EngineError> {
    let docker = lab::engine::connect().await.expect("engine");
    let plan = plan(lab, "test-course", &p.name)?;
    let run = new_run_id();
    let r = apply(&docker, &plan, &ApplyOptions::default(), &run).await;
    if r.is_err() {
        rollback(&docker, &p.name, &run).await;
    }
    r
}

pub fn inspect(name: &str) -> Value {
    let out = Command::new("docker")
        .args(["inspect", name])
        .output()
        .expect("docker inspect");
    assert!(out.status.success(), "no container {name}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v[0].clone()
}

pub fn id_of(name: &str) -> String {
    inspect(name)["Id"].as_str().unwrap_or_default().to_string()
}
