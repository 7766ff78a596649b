//! Taking a lab down: everything labelled with its project; named volumes on request. Not
//! cancellable: a half-removed lab is worse than a second's wait.

use crate::engine::{Engine, Teardown, stop_project};

pub async fn down(engine: &Engine, project: &str, volumes: bool) -> Teardown {
    stop_project(engine, project, volumes).await
}
