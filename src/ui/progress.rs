//! Live progress on a terminal (a spinner with the checks still running); nothing otherwise.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::checks::RunEvent;

/// A spinner that counts finished checks.
pub struct Checklist {
    bar: Option<ProgressBar>,
    running: Mutex<Vec<String>>,
}

impl Checklist {
    pub fn new(live: bool, total: usize) -> Self {
        let bar = live.then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} checking {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Checklist {
            bar,
            running: Mutex::new(Vec::new()),
        }
    }

    pub fn event(&self, e: &RunEvent) {
        let Some(bar) = &self.bar else { return };
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        match e {
            RunEvent::Started { .. } => {}
            RunEvent::CheckStarted { check, .. } => running.push(check.title.clone()),
            RunEvent::CheckFinished { result, .. } => {
                running.retain(|t| t != &result.title);
                bar.inc(1);
            }
        }
        bar.set_message(running.first().cloned().unwrap_or_default());
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
