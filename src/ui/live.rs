//! The live view of a run on a terminal, drawn from the session's events: a bar per image
//! layer being pulled, a spinner per image being built, a bar for an image archive being
//! written or read, a spinner counting checks with the ones still running. Off a terminal
//! it draws nothing; "cleaning up" and an engine left out are always said.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::Progress;
use crate::session::{Event, Events};

/// Draws events while it lives; [`Live::finish`] clears what is left.
#[derive(Clone)]
pub struct Live {
    state: Arc<Mutex<State>>,
}

struct State {
    enabled: bool,
    multi: MultiProgress,
    layers: HashMap<(String, String), ProgressBar>,
    builds: HashMap<String, ProgressBar>,
    /// `lab images save` / `load`: bytes of the archive so far.
    archive: Option<ProgressBar>,
    checks: Option<ProgressBar>,
    running: Vec<String>,
    /// `lab grade`: submissions graded of all, with an ETA; who is under way.
    batch: Option<ProgressBar>,
    grading: Vec<String>,
}

fn style(template: &str, fallback: fn() -> ProgressStyle) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| fallback())
}

impl Live {
    /// A view that draws on stderr when `enabled` (a terminal, and a format for people).
    pub fn new(enabled: bool) -> Live {
        let multi = if enabled {
            MultiProgress::with_draw_target(ProgressDrawTarget::stderr())
        } else {
            MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
        };
        Live {
            state: Arc::new(Mutex::new(State {
                enabled,
                multi,
                layers: HashMap::new(),
                builds: HashMap::new(),
                archive: None,
                checks: None,
                running: Vec::new(),
                batch: None,
                grading: Vec::new(),
            })),
        }
    }

    /// The sink to hand to the session.
    pub fn events(&self) -> Events {
        let live = self.clone();
        Events::new(move |e| live.draw(e))
    }

    fn draw(&self, e: &Event) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if let Event::CleaningUp = e {
            s.clear();
            super::output::err("interrupted: cleaning up…\n");
            return;
        }
        if !s.enabled {
            // Grades from fewer engines than asked for are worth knowing off a terminal too.
            if let Event::EngineDropped { engine, reason } = e {
                super::output::err(&format!("warning: {engine} left out: {reason}\n"));
            }
            return;
        }
        match e {
            Event::Engine(p) => s.engine(p),
            Event::GradeStarted { total } => {
                let bar = s.multi.add(ProgressBar::new(*total as u64));
                bar.set_style(style(
                    "{spinner} checking {pos}/{len} {wide_msg}",
                    ProgressStyle::default_spinner,
                ));
                bar.enable_steady_tick(Duration::from_millis(100));
                s.checks = Some(bar);
            }
            Event::CheckStarted { title, .. } => {
                s.running.push(title.clone());
                s.show_running();
            }
            Event::CheckFinished { result, .. } => {
                if let Some(i) = s.running.iter().position(|t| t == &result.title) {
                    s.running.remove(i);
                }
                if let Some(bar) = &s.checks {
                    bar.inc(1);
                }
                s.show_running();
            }
            Event::BatchStarted { total, .. } => {
                let bar = s.multi.add(ProgressBar::new(*total as u64));
                bar.set_style(style(
                    "{spinner} {bar:30} {pos}/{len} graded, about {eta} left  {wide_msg}",
                    ProgressStyle::default_bar,
                ));
                bar.enable_steady_tick(Duration::from_millis(100));
                s.batch = Some(bar);
            }
            Event::SubmissionStarted { student, .. } => {
                // A submission an engine gave back starts again.
                if !s.grading.contains(student) {
                    s.grading.push(student.clone());
                }
                s.show_grading();
            }
            Event::SubmissionGraded { row } => {
                s.grading.retain(|g| g != &row.student);
                if let Some(bar) = &s.batch {
                    let line = match &row.error {
                        Some(e) => format!("{}: error: {e}", row.student),
                        None => format!("{}: {}/{}", row.student, row.score, row.max_score),
                    };
                    bar.println(line);
                    bar.inc(1);
                }
                s.show_grading();
            }
            Event::EngineDropped { engine, reason } => {
                let _ = s.multi.println(format!("{engine} left out: {reason}"));
            }
            Event::Verify { .. } | Event::LabVerified { .. } | Event::CleaningUp => {}
        }
    }

    /// Clear every bar (before the report is printed).
    pub fn finish(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.clear();
        }
    }
}

impl State {
    fn show_grading(&self) {
        if let Some(bar) = &self.batch {
            bar.set_message(self.grading.join(", "));
        }
    }

    fn engine(&mut self, p: &Progress) {
        match p {
            Progress::Pulling {
                image,
                layer,
                status,
                current,
                total,
            } => {
                let key = (image.clone(), layer.clone());
                let multi = self.multi.clone();
                let bar = self.layers.entry(key).or_insert_with(|| {
                    let b = multi.add(ProgressBar::new(0));
                    b.set_style(style(
                        "{prefix:>12} {bar:30} {bytes}/{total_bytes} {msg}",
                        ProgressStyle::default_bar,
                    ));
                    b.set_prefix(layer.clone());
                    b
                });
                if *total > 0 {
                    bar.set_length(*total);
                    bar.set_position(*current);
                }
                bar.set_message(status.clone());
            }
            Progress::Pulled { image } => {
                self.layers.retain(|(i, _), bar| {
                    if i == image {
                        bar.finish_and_clear();
                    }
                    i != image
                });
            }
            Progress::Building { image, .. } => {
                let s = self.multi.add(ProgressBar::new_spinner());
                s.set_message(format!("building {image}"));
                s.enable_steady_tick(Duration::from_millis(100));
                self.builds.insert(image.clone(), s);
            }
            Progress::Built { image } => {
                if let Some(s) = self.builds.remove(image) {
                    s.finish_and_clear();
                }
            }
            Progress::Saving { bytes } => self.archive("saving", *bytes, 0),
            Progress::Loading { bytes, total } => self.archive("loading", *bytes, *total),
            Progress::Created { .. } | Progress::Started { .. } | Progress::Ready { .. } => {}
        }
    }

    /// One bar for the archive being written or read (a byte count when its size is unknown).
    fn archive(&mut self, verb: &str, bytes: u64, total: u64) {
        let multi = self.multi.clone();
        let bar = self.archive.get_or_insert_with(|| {
            let b = if total > 0 {
                let b = multi.add(ProgressBar::new(total));
                b.set_style(style(
                    "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}",
                    ProgressStyle::default_bar,
                ));
                b
            } else {
                let b = multi.add(ProgressBar::new_spinner());
                b.set_style(style(
                    "{spinner} {msg} {bytes} {bytes_per_sec}",
                    ProgressStyle::default_spinner,
                ));
                b.enable_steady_tick(Duration::from_millis(100));
                b
            };
            b.set_message(verb.to_string());
            b
        });
        bar.set_position(bytes);
    }

    fn show_running(&self) {
        if let Some(bar) = &self.checks {
            bar.set_message(self.running.first().cloned().unwrap_or_default());
        }
    }

    fn clear(&mut self) {
        for (_, b) in self.layers.drain() {
            b.finish_and_clear();
        }
        for (_, b) in self.builds.drain() {
            b.finish_and_clear();
        }
        if let Some(b) = self.archive.take() {
            b.finish_and_clear();
        }
        if let Some(b) = self.checks.take() {
            b.finish_and_clear();
        }
        if let Some(b) = self.batch.take() {
            b.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}
