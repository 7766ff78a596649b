//! The labels `lab` puts on everything it creates; `lab` removes only what carries them.

pub const COURSE: &str = "io.lab.course";
pub const LAB: &str = "io.lab.lab";
pub const PROJECT: &str = "io.lab.project";
pub const SERVICE: &str = "io.lab.service";
pub const CONFIG_HASH: &str = "io.lab.config-hash";
/// Set on everything one `lab start` creates, so that a failed start removes exactly that.
pub const RUN: &str = "io.lab.run";
/// How long the container gets to stop (from `stop_grace_period`), in seconds.
pub const STOP_GRACE: &str = "io.lab.stop-grace";
/// Which replica of its service a container is (1, 2, …), for services with replicas.
pub const REPLICA: &str = "io.lab.replica";
/// On images `lab` builds: a hash of the build context, to rebuild only when it changed.
pub const CONTEXT_HASH: &str = "io.lab.context-hash";
