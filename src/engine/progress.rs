//! What provisioning reports while it works: image pulls and builds, archives written or
//! read, services created, started and ready. The engine only emits; `ui` decides how (or
//! whether) to draw it.

use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A layer of an image being pulled: bytes so far of a total (0 when unknown).
    Pulling {
        image: String,
        layer: String,
        status: String,
        current: u64,
        total: u64,
    },
    Pulled {
        image: String,
    },
    Building {
        image: String,
        service: String,
    },
    Built {
        image: String,
    },
    /// Bytes of an image archive written so far (`lab images save`).
    Saving {
        bytes: u64,
    },
    /// Bytes of an image archive sent to the engine so far, of its size (`lab images load`).
    Loading {
        bytes: u64,
        total: u64,
    },
    /// A service's container was created (or recreated).
    Created {
        service: String,
    },
    Started {
        service: String,
    },
    /// As its dependents need it: started, healthy or completed.
    Ready {
        service: String,
    },
}

/// Where progress goes; the default drops it.
#[derive(Clone, Default)]
pub struct ProgressSink(Option<Arc<dyn Fn(Progress) + Send + Sync>>);

impl ProgressSink {
    pub fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> ProgressSink {
        ProgressSink(Some(Arc::new(f)))
    }

    pub fn emit(&self, p: Progress) {
        if let Some(f) = &self.0 {
            f(p);
        }
    }
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressSink(..)"
        } else {
            "ProgressSink(none)"
        })
    }
}
