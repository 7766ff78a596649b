//! `container`: the engine's view of one container matches every field given. The fields
//! are compared in `compare` (plain data); what needs the engine once more (the image's
//! default command, running the health test now) is looked up here.

mod attachments;
pub mod compare;

use std::time::Duration;

use serde_json::Value;

use crate::checks::context::RunContext;
use crate::checks::matcher::json_text;
use crate::checks::outcome::Outcome;
use crate::checks::target::find;
use crate::checks::words::{and_list, seen};
use crate::engine::exec::{ExecRequest, exec};
use crate::engine::inspect;
use crate::model::ContainerCheck;

pub use compare::compare;

pub async fn run(ctx: &RunContext, c: &ContainerCheck, timeout: Duration) -> Outcome {
    let Some(target) = &c.target else {
        return Outcome::error("the check names no container");
    };
    let found = match find(ctx, target).await {
        Ok(f) if !c.exists => {
            return Outcome::fail(format!("expected no container {}; there is one", f.name));
        }
        Ok(f) => f,
        Err(o) if !c.exists && o.conclusive => {
            return Outcome::pass(format!("there is no container {target}"));
        }
        Err(o) => return o,
    };
    let engine = match ctx.engine() {
        Ok(d) => d,
        Err(e) => return Outcome::error(e),
    };
    let v = match inspect::container(engine, &found.id).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Outcome::error(format!("{} went away while it was looked at", found.name));
        }
        Err(e) => return Outcome::error(e.to_string()),
    };
    // The container's image, looked up once for the fields that need it.
    let wants_default = c.default_command == Some(true);
    let image = if c.image.is_some() || wants_default {
        image_of(ctx, &v).await
    } else {
        None
    };
    // The image it ran was removed (`docker rmi -f` of an image only a stopped container
    // used): what its own command was cannot be told, so neither can whether it ran it.
    if wants_default && image.is_none() {
        return Outcome::error(format!(
            "the image {} ran ({}) is gone, so whether it ran the image's own command cannot be told; run the container again",
            found.name,
            json_text(v.pointer("/Config/Image").unwrap_or(&Value::Null))
        ))
        .evidence(summary(&v));
    }
    let swap_limit = match c.memswap_limit {
        Some(_) => match crate::engine::system::limits_swap(engine).await {
            Ok(can) => can,
            Err(e) => {
                return Outcome::error(format!(
                    "could not ask the engine whether it limits swap: {e}"
                ));
            }
        },
        None => true,
    };
    let image_tags: Vec<String> = image
        .as_ref()
        .and_then(|i| i.pointer("/RepoTags"))
        .and_then(Value::as_array)
        .map(|a| a.iter().map(json_text).collect())
        .unwrap_or_default();
    let scope = compare::Scope {
        project: &ctx.project,
        networks: &ctx.networks,
        volumes: &ctx.volumes,
        image_tags: &image_tags,
        workspace: &ctx.workspace,
        lab_dir: &ctx.lab_dir,
        swap_limit,
    };
    let mut problems = compare(c, &v, &scope);
    if let Some(image) = image.as_ref().filter(|_| wants_default)
        && let Some(p) = default_command(&v, image)
    {
        problems.push(p);
    }
    if let Some(want) = c.health_test {
        match health_test(ctx, &found.id, &v, want, timeout).await {
            Ok(Some(p)) => problems.push(p),
            Ok(None) => {}
            // The grader could not see the test's result: no verdict either way.
            Err(e) => return Outcome::error(format!("{}: {e}", found.name)).evidence(summary(&v)),
        }
    }
    let evidence = summary(&v);
    if problems.is_empty() {
        return Outcome::pass(format!("{} is as the task asks", found.name)).evidence(evidence);
    }
    let outcome = Outcome::fail(format!("{}: {}", found.name, problems.join("; ")));
    let outcome = if settled(c, &v) {
        outcome.conclusive()
    } else {
        outcome
    };
    outcome.evidence(evidence)
}

/// Whether waiting cannot change the verdict: the check wants it running (or healthy) and
/// it is stopped with no restart policy to bring it back, or it has no health check at all.
fn settled(c: &ContainerCheck, v: &Value) -> bool {
    let status = json_text(v.pointer("/State/Status").unwrap_or(&Value::Null));
    let policy = json_text(
        v.pointer("/HostConfig/RestartPolicy/Name")
            .unwrap_or(&Value::Null),
    );
    let stopped = matches!(status.as_str(), "created" | "exited" | "dead")
        && matches!(policy.as_str(), "" | "no");
    let wants_running = matches!(
        c.state.as_deref(),
        Some("running" | "paused" | "restarting")
    ) || c.health.as_deref().is_some_and(|h| h != "none");
    let no_health = v.pointer("/State/Health").is_none_or(Value::is_null)
        && c.health.as_deref().is_some_and(|h| h != "none");
    (wants_running && stopped) || no_health
}

/// The container's image as the engine describes it: its names (`docker run <id>` runs
/// the image those name) and its default command.
async fn image_of(ctx: &RunContext, v: &Value) -> Option<Value> {
    let engine = ctx.engine().ok()?;
    let id = v.pointer("/Image").and_then(Value::as_str)?;
    inspect::image(engine, id).await.ok()?
}

/// The image's default command, unless the container was given its own.
fn default_command(v: &Value, image: &Value) -> Option<String> {
    let words = |doc: &Value, key: &str| -> Vec<String> {
        doc.pointer(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(json_text).collect())
            .unwrap_or_default()
    };
    let given = (words(v, "/Config/Entrypoint"), words(v, "/Config/Cmd"));
    let default = (
        words(image, "/Config/Entrypoint"),
        words(image, "/Config/Cmd"),
    );
    if given == default {
        return None;
    }
    let line = [given.0, given.1].concat();
    Some(format!(
        "expected it to run its image's default command; it was given its own: {}",
        seen(&shell_words::join(line))
    ))
}

/// Run the container's configured health test once, now, as the engine would.
async fn health_test(
    ctx: &RunContext,
    id: &str,
    v: &Value,
    want_pass: bool,
    timeout: Duration,
) -> Result<Option<String>, String> {
    let test: Vec<String> = v
        .pointer("/Config/Healthcheck/Test")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(json_text).collect())
        .unwrap_or_default();
    // As the engine runs it: a shell line under the container's shell, which is not the
    // image's `SHELL` (the engine does not copy it), so nearly always `/bin/sh -c`.
    let shell: Vec<String> = v
        .pointer("/Config/Shell")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(json_text).collect())
        .filter(|s: &Vec<String>| !s.is_empty())
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
    let cmd = match test.as_slice() {
        [kind, args @ ..] if kind == "CMD" && !args.is_empty() => args.to_vec(),
        [kind, line] if kind == "CMD-SHELL" => [shell, vec![line.clone()]].concat(),
        _ => return Ok(Some("expected a health check; it has none".into())),
    };
    // The engine gives the test its own timeout (30 s unless set); within the check's.
    let own = v
        .pointer("/Config/Healthcheck/Timeout")
        .and_then(Value::as_i64)
        .filter(|n| *n > 0)
        .map(|n| Duration::from_nanos(n as u64))
        .unwrap_or(Duration::from_secs(30));
    let limit = own.min(timeout);
    let engine = ctx.engine()?;
    let req = ExecRequest {
        cmd,
        ..Default::default()
    };
    let out = match exec(engine, id, &req, limit, 4096).await {
        Ok(o) => o,
        // Not running: its health test cannot pass, which is the student's to fix.
        Err(e @ crate::engine::EngineError::Refused(_)) => {
            return Ok(Some(format!("could not run its health check: {e}")));
        }
        Err(e) => return Err(format!("could not run its health check: {e}")),
    };
    // A test that does not finish in its own time fails, as for the engine; one cut off by
    // the check's shorter time, or whose end was not seen, is no answer either way (a
    // "fails" check must not pass on it).
    let passed = match (out.exit, out.timed_out) {
        (Some(code), _) => code == 0,
        (None, true) if limit == own => false,
        (None, true) => {
            return Err(format!(
                "its health check did not finish within the check's {}, and the engine gives it {}: give the check a longer timeout",
                crate::model::Dur(timeout),
                crate::model::Dur(own)
            ));
        }
        (None, false) => {
            return Err("its health check ran, but its exit code could not be read".into());
        }
    };
    Ok(match (want_pass, passed) {
        (true, false) => Some(format!(
            "expected its health check to pass now; it fails ({})",
            match out.exit {
                Some(c) => format!("exit {c}"),
                None => "it did not finish in time".into(),
            }
        )),
        (false, true) => Some(
            "expected its health check to fail now, since what it should watch is broken; it still passes"
                .into(),
        ),
        _ => None,
    })
}

/// The fields students usually look at, as evidence (empty ones left out).
fn summary(v: &Value) -> String {
    let s = |ptr: &str| json_text(v.pointer(ptr).unwrap_or(&Value::Null));
    let mut lines = vec![
        format!("name: {}", s("/Name").trim_start_matches('/')),
        format!("image: {}", s("/Config/Image")),
        format!(
            "state: {} (exit code {})",
            s("/State/Status"),
            s("/State/ExitCode")
        ),
    ];
    let health = s("/State/Health/Status");
    if !health.is_empty() && health != "null" {
        lines.push(format!("health: {health}"));
    }
    let policy = s("/HostConfig/RestartPolicy/Name");
    if !policy.is_empty() {
        lines.push(format!("restart policy: {policy}"));
    }
    let user = s("/Config/User");
    if !user.is_empty() {
        lines.push(format!("user: {user}"));
    }
    let nets: Vec<String> = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if !nets.is_empty() {
        lines.push(format!("networks: {}", and_list(&nets)));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
