//! Grading a class: submissions spread over one or more engines, one submission per engine
//! at a time (labs name students' containers, so one engine cannot hold two submissions of
//! a lab at once). Images are made once on the first engine and copied to the others. A
//! submission that fails becomes its student's row; the batch goes on. An engine where the
//! lab stops starting hands its submission to another engine and stops ([`spread`]).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::leftovers::{Snapshot, lab_images};
use super::submission::{Graded, Interrupted, SubmissionOptions, grade_submission};
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
    events.emit(Event::BatchStarted {
        total,
        engines: engines.len(),
    });
    let hosts: Vec<String> = engines.iter().map(|e| e.host().to_string()).collect();
    // Copying happens while the first engine is already grading.
    let ready = |n: usize| {
        let needed = &needed;
        async move {
            match n {
                0 => Ok(()),
                _ => crate::engine::transfer::copy_missing(first, &engines[n], needed)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            }
        }
    };
    let grade = |n: usize, s: Submission| async move {
        grade_submission(&engines[n], course, lab, &s.student, &s.dir, opts, cancel).await
    };
    let mut graded = spread(&hosts, order, ready, grade, events, cancel).await;
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

/// A submission waiting for an engine, with its place among the rows.
struct Todo {
    index: usize,
    submission: Submission,
}

/// The queue the engines share.
struct Queue {
    todo: VecDeque<Todo>,
    /// Engines not dropped: the ones a submission can go back to.
    active: usize,
    /// Submissions under way (one may come back).
    busy: usize,
}

fn locked(q: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    q.lock().unwrap_or_else(|e| e.into_inner())
}

/// Grade `order` (row index, submission) on the engines named `hosts`, one submission at a
/// time on each: `ready(n)` prepares engine n (an error drops it), `grade(n, s)` grades on
/// it. An engine where the lab could not start, while another still works, broke: its
/// submission goes back to the queue and it stops taking work. It takes work again only
/// when every other engine has dropped, keeping what it grades then (the row says the lab
/// could not start). A submission thus goes back at most once per engine.
async fn spread<R, RF, G, GF>(
    hosts: &[String],
    order: Vec<(usize, Submission)>,
    ready: R,
    grade: G,
    events: &Events,
    cancel: &CancellationToken,
) -> Vec<(usize, Graded)>
where
    R: Fn(usize) -> RF,
    RF: Future<Output = Result<(), String>>,
    G: Fn(usize, Submission) -> GF,
    GF: Future<Output = Result<Graded, Interrupted>>,
{
    let queue = Mutex::new(Queue {
        todo: order
            .into_iter()
            .map(|(index, submission)| Todo { index, submission })
            .collect(),
        active: hosts.len(),
        busy: 0,
    });
    let wake = Notify::new();
    let dropped = |n: usize, reason: String| {
        events.emit(Event::EngineDropped {
            engine: hosts[n].clone(),
            reason,
        })
    };
    let workers = (0..hosts.len()).map(|n| {
        let (queue, wake, ready, grade, dropped) = (&queue, &wake, &ready, &grade, &dropped);
        async move {
            let mut done = Vec::new();
            if let Err(reason) = ready(n).await {
                locked(queue).active -= 1;
                wake.notify_waiters();
                dropped(n, reason);
                return done;
            }
            let mut parked = false;
            while let Some(todo) = next(queue, wake, parked, cancel).await {
                events.emit(Event::SubmissionStarted {
                    student: todo.submission.student.clone(),
                    engine: hosts[n].clone(),
                });
                let result = grade(n, todo.submission.clone()).await;
                let mut q = locked(queue);
                q.busy -= 1;
                let Ok(g) = result else {
                    drop(q);
                    wake.notify_waiters();
                    break;
                };
                let index = todo.index;
                let back = g.broken_lab && !parked && q.active > 1;
                if back {
                    q.active -= 1;
                    q.todo.push_front(todo);
                    parked = true;
                }
                drop(q);
                wake.notify_waiters();
                if back {
                    dropped(n, g.row.error.unwrap_or_default());
                } else {
                    events.emit(Event::SubmissionGraded { row: g.row.clone() });
                    done.push((index, g));
                }
            }
            done
        }
    });
    futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The next submission for an engine; `None` when no more can come (none waiting and none
/// under way that could come back). A parked engine waits until every other has dropped.
async fn next(
    queue: &Mutex<Queue>,
    wake: &Notify,
    parked: bool,
    cancel: &CancellationToken,
) -> Option<Todo> {
    loop {
        if cancel.is_cancelled() {
            return None;
        }
        let woken = wake.notified();
        tokio::pin!(woken);
        {
            let mut q = locked(queue);
            if (!parked || q.active == 0)
                && let Some(todo) = q.todo.pop_front()
            {
                q.busy += 1;
                return Some(todo);
            }
            if q.todo.is_empty() && q.busy == 0 {
                return None;
            }
            // Registered before the lock goes, so a wake between the two is not missed.
            woken.as_mut().enable();
        }
        tokio::select! {
            _ = woken => {}
            _ = cancel.cancelled() => return None,
        }
    }
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::report::gradebook::Row;

    /// One engine's part in a fake batch: how long it takes to get ready (and whether it
    /// can), how long a submission takes, and whether the lab starts on it.
    struct Fake {
        host: &'static str,
        ready_ms: u64,
        ready: bool,
        grade_ms: u64,
        broken: bool,
    }

    const OK: Fake = Fake {
        host: "ok",
        ready_ms: 0,
        ready: true,
        grade_ms: 5,
        broken: false,
    };

    /// The rows (student, engine, lab broken), the engines dropped, each engine's grades.
    type Batch = (Vec<(String, String, bool)>, Vec<String>, Vec<usize>);

    async fn batch(students: usize, fakes: &[Fake]) -> Batch {
        let hosts: Vec<String> = fakes.iter().map(|f| f.host.to_string()).collect();
        let order = (0..students)
            .map(|i| {
                let s = Submission {
                    student: format!("s{i}"),
                    dir: PathBuf::new(),
                };
                (i, s)
            })
            .collect();
        let calls: Vec<AtomicUsize> = fakes.iter().map(|_| AtomicUsize::new(0)).collect();
        let ready = |n: usize| async move {
            tokio::time::sleep(Duration::from_millis(fakes[n].ready_ms)).await;
            if fakes[n].ready {
                Ok(())
            } else {
                Err("no copy".to_string())
            }
        };
        let grade = |n: usize, s: Submission| {
            calls[n].fetch_add(1, Ordering::SeqCst);
            let f = &fakes[n];
            async move {
                tokio::time::sleep(Duration::from_millis(f.grade_ms)).await;
                let row = Row {
                    student: s.student,
                    status: if f.broken { "error" } else { "graded" }.into(),
                    score: 0,
                    max_score: 1,
                    points: Vec::new(),
                    duration_s: 0.0,
                    phases: Vec::new(),
                    engine: f.host.into(),
                    error: f
                        .broken
                        .then(|| "the lab could not start: no daemon".into()),
                    notes: Vec::new(),
                    report: None,
                };
                Ok(Graded {
                    row,
                    report: None,
                    broken_lab: f.broken,
                })
            }
        };
        let dropped = Arc::new(Mutex::new(Vec::new()));
        let seen = dropped.clone();
        let events = Events::new(move |e| {
            if let Event::EngineDropped { engine, .. } = e {
                seen.lock().expect("events").push(engine.clone());
            }
        });
        let cancel = CancellationToken::new();
        let mut rows = spread(&hosts, order, ready, grade, &events, &cancel).await;
        rows.sort_by_key(|(i, _)| *i);
        assert!(
            rows.iter().enumerate().all(|(n, (i, _))| n == *i),
            "a row per student"
        );
        let rows = rows
            .into_iter()
            .map(|(_, g)| (g.row.student, g.row.engine, g.broken_lab))
            .collect();
        let dropped = dropped.lock().expect("events").clone();
        (
            rows,
            dropped,
            calls.iter().map(|c| c.load(Ordering::SeqCst)).collect(),
        )
    }

    fn broken(host: &'static str, grade_ms: u64) -> Fake {
        Fake {
            host,
            grade_ms,
            broken: true,
            ..OK
        }
    }

    /// A broken engine grades one submission, gives it back and stops; the healthy one
    /// grades the class.
    #[tokio::test]
    async fn a_broken_engine_stops_and_its_submission_goes_back() {
        let (rows, dropped, calls) = batch(6, &[broken("a", 1), OK]).await;
        assert_eq!(rows.len(), 6);
        assert!(rows.iter().all(|(_, e, b)| e == "ok" && !b), "{rows:?}");
        assert_eq!((dropped, calls), (vec!["a".to_string()], vec![1, 6]));
    }

    /// The engine with nothing left waits for the one still grading: what comes back is
    /// graded.
    #[tokio::test]
    async fn a_submission_that_comes_back_finds_an_engine() {
        let (rows, dropped, _) = batch(2, &[broken("a", 50), OK]).await;
        assert!(rows.iter().all(|(_, e, b)| e == "ok" && !b), "{rows:?}");
        assert_eq!(dropped, ["a"]);
    }

    /// When every engine is broken, or there is one, the rows say the lab could not start,
    /// as they did; nothing goes back more than once per engine.
    #[tokio::test]
    async fn with_no_engine_left_the_rows_say_the_lab_could_not_start() {
        let (rows, dropped, calls) = batch(4, &[broken("a", 1), broken("b", 3)]).await;
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|(_, _, b)| *b), "{rows:?}");
        assert_eq!((dropped.len(), calls.iter().sum::<usize>()), (1, 5));
        let (rows, dropped, calls) = batch(3, &[broken("a", 1)]).await;
        assert!(rows.iter().all(|(_, _, b)| *b) && rows.len() == 3);
        assert_eq!((dropped.len(), calls), (0, vec![3]));
        // The engine that gave a submission back takes work again when the other drops.
        let late = Fake {
            host: "b",
            ready_ms: 30,
            ready: false,
            ..OK
        };
        let (rows, dropped, calls) = batch(3, &[broken("a", 1), late]).await;
        assert!(rows.iter().all(|(_, e, b)| e == "a" && *b) && rows.len() == 3);
        assert_eq!((dropped, calls), (vec!["a".into(), "b".into()], vec![4, 0]));
    }
}
