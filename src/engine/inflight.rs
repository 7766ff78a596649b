//! Creates that outlive a cancelled start. A run's resources carry its run label from the
//! moment the engine makes them, so `rollback` finds them by label — except one whose
//! create request was in flight when the caller stopped waiting (Ctrl-C drops the `apply`
//! future): the engine finishes it anyway, maybe after rollback looked. So each create runs
//! on its own task, counted per run until it is done, and `rollback` first waits for the
//! count of its run to reach zero: nothing a run makes escapes its rollback.

use std::collections::HashMap;
use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

use tokio::sync::watch;

use super::error::EngineError;

/// Per run id: how many creates are in flight. A watch, so waiters see every change.
static IN_FLIGHT: LazyLock<watch::Sender<HashMap<String, usize>>> =
    LazyLock::new(|| watch::channel(HashMap::new()).0);

/// Counts one create of `run` for as long as it lives (it lives in the create's task).
struct Counted(String);

impl Counted {
    fn new(run: &str) -> Counted {
        IN_FLIGHT.send_modify(|m| *m.entry(run.to_string()).or_default() += 1);
        Counted(run.to_string())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        IN_FLIGHT.send_modify(|m| {
            if let Some(n) = m.get_mut(&self.0) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    m.remove(&self.0);
                }
            }
        });
    }
}

/// Run a create of `run` to completion even if the caller is cancelled.
pub(super) async fn create<T, F>(run: &str, create: F) -> Result<T, EngineError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, EngineError>> + Send + 'static,
{
    let counted = Counted::new(run);
    let task = tokio::spawn(async move {
        let result = create.await;
        drop(counted);
        result
    });
    match task.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only an aborted task ends this way, and no one aborts it; say "interrupted".
        Err(_) => Err(EngineError::Interrupted),
    }
}

/// Wait until no create of `run` is in flight (bounded: the engine answers a create in
/// well under a second; past `limit` we go on and rollback does what it can).
pub(super) async fn settled(run: &str, limit: Duration) {
    let mut rx = IN_FLIGHT.subscribe();
    let _ = tokio::time::timeout(limit, rx.wait_for(|m| !m.contains_key(run))).await;
}
