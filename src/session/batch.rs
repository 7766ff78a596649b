//! Grading a class: submissions spread over one or more engines, one submission per engine
//! at a time (labs name students' containers, so one engine cannot hold two submissions of
//! a lab at once). Images are made once on the first engine and copied to the others. A
//! submission that fails becomes its student's row; the batch goes on.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::leftovers::{Snapshot, lab_images};
use super::submission::{Graded, SubmissionOptions, grade_submission};
use super::{Event, Events};
use crate::engine::{Engine, HELPER_IMAGE, plan};
use crate::model::{Course, Lab};

/// One student's folder.
#[derive(Debug, Clone)]
pub struct Submission {
    pub student: String,
    pub dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// An engine cannot take the lab's submissions (the reason says which and why).
    #[error("{0}")]
    Engine(String),
    /// Ctrl-C: what the submissions under way made was removed; `graded` are done.
    #[error("interrupted")]
    Interrupted { graded: Vec<Graded> },
}

/// Grade `submissions` of `lab` on `engines` (the first makes the images); rows in the
/// order of `submissions`.
pub async fn grade_all(
    engines: &[Engine],
    course: &Course,
    lab: &Lab,
    submissions: Vec<Submission>,
    opts: &SubmissionOptions,
    events: &Events,
    cancel: &CancellationToken,
) -> Result<Vec<Graded>, BatchError> {
    let Some(first) = engines.first() else {
        return Err(BatchError::Engine("no engine to grade on".into()));
    };
    let keep = lab_images(&course.id, lab);
    for engine in engines {
        preflight(engine, lab, &keep).await?;
    }
    // The lab's images, once, on the first engine: every submission starts from them.
    let p = plan(lab, &course.id, &lab.id)
        .map_err(|e| BatchError::Engine(format!("the lab {} cannot be planned: {e}", lab.id)))?;
    let progress = events.progress();
    let images = tokio::select! {
        r = crate::engine::images::ensure(first, &p.images, &progress) => r,
        _ = cancel.cancelled() => return Err(BatchError::Interrupted { graded: Vec::new() }),
    };
    let images = images.map_err(|e| {
        BatchError::Engine(format!(
            "the lab's images could not be made on {}: {e}",
            first.host()
        ))
    })?;
    // A rebuild here replaced an image `lab` built before: the lab is not running (see
    // preflight), so nothing of ours uses it any more.
    crate::engine::images::remove_replaced(first, &images.replaced).await;
    let needed = crate::engine::transfer::needed(&p, &[HELPER_IMAGE.to_string()]);

    let total = submissions.len();
    // Several engines finish together when the long submissions go first and the short
    // ones fill the gaps at the end (an empty folder is quick to grade); rows keep their
    // order whatever the order of grading.
    let mut order: Vec<(usize, Submission)> = submissions.into_iter().enumerate().collect();
    if engines.len() > 1 {
        let dirs: Vec<PathBuf> = order.iter().map(|(_, s)| s.dir.clone()).collect();
        // Reading folders is file work: off the async workers.
        let sizes = tokio::task::spawn_blocking(move || dirs.iter().map(|d| weight(d)).collect())
            .await
            .unwrap_or_else(|_| vec![0; total]);
        order.sort_by_key(|(i, _)| std::cmp::Reverse(sizes[*i]));
    }
    let queue = Arc::new(Mutex::new(order.into_iter().collect::<VecDeque<_>>()));
    events.emit(Event::BatchStarted {
        total,
        engines: engines.len(),
    });
    let workers = engines.iter().enumerate().map(|(n, engine)| {
        let queue = queue.clone();
        let needed = &needed;
        async move {
            let mut done = Vec::new();
            if n > 0 {
                // Copying happens while the first engine is already grading.
                if let Err(e) = crate::engine::transfer::copy_missing(first, engine, needed).await {
                    events.emit(Event::EngineDropped {
                        engine: engine.host().to_string(),
                        reason: e.to_string(),
                    });
                    return done;
                }
            }
            loop {
                if cancel.is_cancelled() {
                    break;
                }
                let Some((i, s)) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    break;
                };
                events.emit(Event::SubmissionStarted {
                    student: s.student.clone(),
                    engine: engine.host().to_string(),
                });
                match grade_submission(engine, course, lab, &s.student, &s.dir, opts, cancel).await
                {
                    Ok(g) => {
                        events.emit(Event::SubmissionGraded { row: g.row.clone() });
                        done.push((i, g));
                    }
                    Err(_) => break,
                }
            }
            done
        }
    });
    let mut graded: Vec<(usize, Graded)> = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect();
    // The networks the submissions shared go with the batch.
    futures_util::future::join_all(engines.iter().map(|e| super::down::down(e, &lab.id, true)))
        .await;
    graded.sort_by_key(|(i, _)| *i);
    let graded: Vec<Graded> = graded.into_iter().map(|(_, g)| g).collect();
    if cancel.is_cancelled() {
        return Err(BatchError::Interrupted { graded });
    }
    if graded.len() < total {
        return Err(BatchError::Engine(format!(
            "only {} of {total} submissions could be graded: every engine failed",
            graded.len()
        )));
    }
    Ok(graded)
}

/// How much there is to a submission: the bytes of its files (a stand-in for how long it
/// takes to grade; read up to a bound, links not followed).
fn weight(dir: &std::path::Path) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            seen += 1;
            if seen > 10_000 {
                return total;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => {}
            }
        }
    }
    total
}

/// An engine can take the lab's submissions when the lab is not running there and nothing
/// named after the lab is (a student's `week1-hello` left from trying the lab would make
/// every submission pass that check).
async fn preflight(engine: &Engine, lab: &Lab, keep: &[String]) -> Result<(), BatchError> {
    let running = crate::engine::teardown::count_labelled(engine, &lab.id)
        .await
        .map_err(|e| BatchError::Engine(format!("{}: {e}", engine.host())))?;
    if running > 0 {
        return Err(BatchError::Engine(format!(
            "the lab {} is running on {}: submissions are graded on a fresh lab in its project; stop it first (`lab stop {} --volumes`)",
            lab.id,
            engine.host(),
            lab.id
        )));
    }
    let named = Snapshot::take(engine).await.named_after(&lab.id, keep);
    if !named.is_empty() {
        return Err(BatchError::Engine(format!(
            "{} has objects named after the lab {} that lab did not make:\n  {}\n  a submission could pass a check on them; remove them first (docker rm -f / docker network rm / docker volume rm / docker rmi)",
            engine.host(),
            lab.id,
            named.join("\n  ")
        )));
    }
    Ok(())
}
