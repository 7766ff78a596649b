//! Which labs run on the engine, from their labels (no state file to go stale).

use std::collections::{BTreeSet, HashMap};

use bollard::Docker;
use bollard::query_parameters::ListContainersOptionsBuilder;

use super::labels;

/// Lab ids with at least one labelled container (running or not).
pub async fn running_labs(docker: &Docker) -> Result<Vec<String>, bollard::errors::Error> {
    let mut filters = HashMap::new();
    filters.insert("label", vec![labels::LAB.to_string()]);
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let list = docker.list_containers(Some(opts)).await?;
    let ids: BTreeSet<String> = list
        .iter()
        .filter_map(|c| c.labels.as_ref().and_then(|l| l.get(labels::LAB)).cloned())
        .collect();
    Ok(ids.into_iter().collect())
}
