//! Moving progress between machines: `lab progress export FILE` writes everything as
//! versioned JSON; `import FILE` merges it, attempt by attempt (their ids are unique, so
//! importing twice, or back, never duplicates).

use serde::{Deserialize, Serialize};

use super::{Attempt, Start, Store, StoreError};

/// Bumped when the export's shape changes incompatibly.
pub const EXPORT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Export {
    pub lab_progress_version: u32,
    pub course: String,
    pub attempts: Vec<Attempt>,
    pub starts: Vec<Start>,
}

pub fn export(store: &Store, course: &str) -> Result<Export, StoreError> {
    Ok(Export {
        lab_progress_version: EXPORT_VERSION,
        course: course.to_string(),
        attempts: store.attempts(course, None)?,
        starts: store.starts(course, None)?,
    })
}

/// What an import added.
#[derive(Debug, Default, Serialize)]
pub struct Imported {
    pub attempts: usize,
    pub starts: usize,
    pub already_there: usize,
}

pub fn import(store: &Store, data: &Export) -> Result<Imported, StoreError> {
    let mut n = Imported::default();
    for a in &data.attempts {
        if store.record(a)? {
            n.attempts += 1;
        } else {
            n.already_there += 1;
        }
    }
    for s in &data.starts {
        if store.record_start(s)? {
            n.starts += 1;
        } else {
            n.already_there += 1;
        }
    }
    Ok(n)
}
