//! Which labs run on the engine, from their labels (no state file to go stale).

use std::collections::{BTreeSet, HashMap};

use bollard::Docker;
use bollard::query_parameters::ListContainersOptionsBuilder;

use super::labels;

/// A lab found on the engine, in the project it was started in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Running {
    pub lab: String,
    pub project: String,
}

/// Every (lab, project) with at least one labelled container, running or not.
pub async fn running_labs(docker: &Docker) -> Result<Vec<Running>, bollard::errors::Error> {
    let mut filters = HashMap::new();
    filters.insert(
        "label",
        vec![labels::LAB.to_string(), labels::PROJECT.to_string()],
    );
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let list = docker.list_containers(Some(opts)).await?;
    let found: BTreeSet<Running> = list
        .iter()
        .filter_map(|c| {
            let l = c.labels.as_ref()?;
            Some(Running {
                lab: l.get(labels::LAB)?.clone(),
                project: l.get(labels::PROJECT)?.clone(),
            })
        })
        .collect();
    Ok(found.into_iter().collect())
}
