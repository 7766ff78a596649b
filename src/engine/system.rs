//! What the engine says about itself (`docker version`, `docker info`) and about images by
//! name: what `lab doctor` reports and decides on.

use std::time::Duration;

use super::connect::Engine;
use super::error::{EngineError, is_not_found};

/// The engine's own figures.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facts {
    /// The engine's version (`20.10.24`), and its product (`Docker Engine`, `Podman Engine`).
    pub version: String,
    pub product: String,
    /// The API version the engine speaks at most, and the one this connection uses.
    pub api_version: String,
    pub storage_driver: String,
    /// Where images and containers live on the engine's machine.
    pub root_dir: String,
    /// The engine machine's OS ("Debian GNU/Linux 12 (bookworm)", "Docker Desktop").
    pub operating_system: String,
    pub containers_running: i64,
}

pub async fn facts(engine: &Engine) -> Result<Facts, EngineError> {
    let docker = engine.api();
    let version = docker
        .version()
        .await
        .map_err(EngineError::engine("asking the engine its version"))?;
    let info = docker
        .info()
        .await
        .map_err(EngineError::engine("asking the engine about itself"))?;
    let product = version
        .components
        .as_ref()
        .and_then(|c| c.first())
        .map(|c| c.name.clone())
        .filter(|n| n != "Engine")
        .unwrap_or_else(|| "Docker Engine".into());
    Ok(Facts {
        version: version.version.unwrap_or_default(),
        product,
        api_version: version.api_version.unwrap_or_default(),
        storage_driver: info.driver.unwrap_or_default(),
        root_dir: info.docker_root_dir.unwrap_or_default(),
        operating_system: info.operating_system.unwrap_or_default(),
        containers_running: info.containers_running.unwrap_or_default(),
    })
}

/// Whether the engine can limit a container's swap (without, it keeps none: `MemorySwap`
/// reads -1 whatever was asked).
pub async fn limits_swap(engine: &Engine) -> Result<bool, EngineError> {
    let info = engine
        .api()
        .info()
        .await
        .map_err(EngineError::engine("asking the engine about itself"))?;
    Ok(info.swap_limit.unwrap_or(true))
}

/// Whether the engine has an image of this name.
pub async fn has_image(engine: &Engine, name: &str) -> Result<bool, EngineError> {
    match engine.api().inspect_image(name).await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(EngineError::engine(format!("inspecting image {name}"))(e)),
    }
}

/// Whether the engine could pull `name` now: its registry answers for it (the manifest is
/// looked up, nothing is downloaded). `Err` says why not, in the registry's words.
pub async fn pullable(engine: &Engine, name: &str, timeout: Duration) -> Result<(), String> {
    match tokio::time::timeout(timeout, engine.api().inspect_registry_image(name, None)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(super::error::reason(&e)),
        Err(_) => Err(format!(
            "the registry did not answer within {} s",
            timeout.as_secs()
        )),
    }
}

/// One sample of a container's CPU and memory use.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Usage {
    /// Percent of one CPU (200 = two CPUs busy).
    pub cpu_percent: f64,
    /// Bytes in use, the page cache left out (what the OOM killer counts against a limit).
    pub memory: u64,
    /// The limit the kernel enforces (the machine's memory when none is set).
    pub memory_limit: u64,
}

/// A stats sample of a running container (the engine waits about a second to measure
/// CPU); `None` when it is not running or reports nothing.
pub async fn usage(engine: &Engine, id: &str) -> Result<Option<Usage>, EngineError> {
    let opts = bollard::query_parameters::StatsOptionsBuilder::default()
        .stream(false)
        .build();
    let mut s = engine.api().stats(id, Some(opts));
    let Some(stats) = futures_util::StreamExt::next(&mut s).await else {
        return Ok(None);
    };
    let st = match stats {
        Ok(st) => st,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(EngineError::engine(format!("sampling the use of {id}"))(e)),
    };
    let mem = st.memory_stats.unwrap_or_default();
    let cache = mem
        .stats
        .as_ref()
        .and_then(|s| s.get("inactive_file").or_else(|| s.get("cache")).copied())
        .unwrap_or(0);
    let (cpu, pre) = (
        st.cpu_stats.unwrap_or_default(),
        st.precpu_stats.unwrap_or_default(),
    );
    let total = |c: &bollard::models::ContainerCpuStats| {
        c.cpu_usage
            .as_ref()
            .and_then(|u| u.total_usage)
            .unwrap_or(0)
    };
    let cpu_delta = total(&cpu).saturating_sub(total(&pre)) as f64;
    let sys_delta = cpu
        .system_cpu_usage
        .unwrap_or(0)
        .saturating_sub(pre.system_cpu_usage.unwrap_or(0)) as f64;
    let cpus = cpu.online_cpus.unwrap_or(1).max(1) as f64;
    let cpu_percent = if sys_delta > 0.0 {
        cpu_delta / sys_delta * cpus * 100.0
    } else {
        0.0
    };
    let Some(used) = mem.usage else {
        return Ok(None);
    };
    Ok(Some(Usage {
        cpu_percent,
        memory: used.saturating_sub(cache),
        memory_limit: mem.limit.unwrap_or(0),
    }))
}
