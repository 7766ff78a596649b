//! The one cancellation path. The first Ctrl-C cancels the run's token: every operation
//! stops and removes what it made, and the command exits 130. A second one says that
//! cleaning up is still going on; a third abandons it and exits at once.

use tokio_util::sync::CancellationToken;

use crate::exit;
use crate::ui::output;

/// Listen for Ctrl-C (SIGINT) from now on; the token fires on the first.
pub fn install() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        let mut presses = 0u32;
        while tokio::signal::ctrl_c().await.is_ok() {
            presses += 1;
            match presses {
                1 => cancel.cancel(),
                2 => output::err(
                    "still cleaning up, press Ctrl-C again to abandon (what is not removed yet stays on the engine)\n",
                ),
                _ => std::process::exit(i32::from(exit::INTERRUPTED)),
            }
        }
    });
    token
}
