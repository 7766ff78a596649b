//! One service of the stack: which keys it may hold, and each group of them decoded by its
//! own function.

use std::collections::BTreeSet;

use super::build::{build, inside_lab};
use super::command::{command, normalize_signal};
use super::healthcheck::healthcheck;
use super::mounts::mount;
use super::networks::service_networks;
use super::ports::port;
use super::{Declared, depends, list_of};
use crate::course::decode::{
    Ctx, Fields, Schema, describe, float, optional_string_map, size, string, string_list,
    string_map,
};
use crate::course::diag::nearest;
use crate::course::yaml::{Node, Value};
use crate::model::{EnvVar, Logging, PullPolicy, RestartPolicy, Service};

/// Every key a service may hold (the unsafe ones are gated by the policy).
pub const SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "networks",
    "volumes",
    "healthcheck",
    "depends_on",
    "restart",
    "labels",
    "user",
    "working_dir",
    "read_only",
    "cap_add",
    "cap_drop",
    "security_opt",
    "mem_limit",
    "memswap_limit",
    "cpus",
    "pids_limit",
    "init",
    "stop_signal",
    "stop_grace_period",
    "logging",
    "tty",
    "stdin_open",
    "container_name",
    "hostname",
    "extra_hosts",
    "pull_policy",
    "deploy",
    "scale",
    "privileged",
    "network_mode",
    "pid",
];

const SERVICE: Schema = Schema {
    known: SERVICE_KEYS,
    unsupported: &[
        "annotations",
        "attach",
        "blkio_config",
        "cgroup",
        "cgroup_parent",
        "configs",
        "cpu_count",
        "cpu_percent",
        "cpu_period",
        "cpu_quota",
        "cpu_rt_period",
        "cpu_rt_runtime",
        "cpu_shares",
        "cpuset",
        "credential_spec",
        "develop",
        "device_cgroup_rules",
        "devices",
        "dns",
        "dns_opt",
        "dns_search",
        "domainname",
        "external_links",
        "extends",
        "gpus",
        "group_add",
        "ipc",
        "isolation",
        "label_file",
        "links",
        "mac_address",
        "mem_reservation",
        "mem_swappiness",
        "oom_kill_disable",
        "oom_score_adj",
        "platform",
        "post_start",
        "pre_stop",
        "profiles",
        "runtime",
        "secrets",
        "shm_size",
        "storage_opt",
        "sysctls",
        "ulimits",
        "use_api_socket",
        "userns_mode",
        "uts",
        "volumes_from",
        "models",
        "provider",
        "memswap_reservation",
        "mem_swap_limit",
    ],
};

const LOGGING: Schema = Schema::known(&["driver", "options"]);

/// Decode one service. Each group of related keys has its own function below; all of them
/// report to `ctx`, so every mistake in the service is found in one pass.
pub(super) fn decode(
    ctx: &mut Ctx,
    name: &str,
    node: &Node,
    declared: &Declared,
    names: &BTreeSet<String>,
    dep_pos: &mut depends::Positions,
) -> Option<Service> {
    let what = format!("service \"{name}\"");
    let f = super::nested::open_service(ctx, node, &what, &SERVICE)?;
    let mut s = Service {
        name: name.to_string(),
        ..Service::default()
    };
    image_and_build(ctx, &f, &what, &mut s);
    process(ctx, &f, &mut s);
    attachments(ctx, &f, &what, declared, &mut s);
    s.healthcheck = f
        .get("healthcheck")
        .and_then(|n| healthcheck(ctx, n, &what));
    if let Some(n) = f.get("depends_on") {
        s.depends_on = depends::depends_on(ctx, n, name, names, dep_pos);
    }
    s.restart = f
        .get("restart")
        .and_then(|n| restart(ctx, n, &f.field("restart")));
    labels(ctx, &f, &what, &mut s);
    limits(ctx, &f, &mut s);
    stopping(ctx, &f, &mut s);
    terminal_and_logging(ctx, &f, &what, &mut s);
    naming(ctx, &f, &mut s);
    pull_policy(ctx, &f, &what, &mut s);
    unsafe_options(ctx, &f, &what, &mut s);
    super::replicas::replicas(ctx, &f, &what, &mut s);
    Some(s)
}

/// `image` and `build`: a service needs one of them.
fn image_and_build(ctx: &mut Ctx, f: &Fields, what: &str, s: &mut Service) {
    s.image = f.str(ctx, "image");
    s.build = f.get("build").and_then(|n| build(ctx, n, what));
    if s.image.is_none() && s.build.is_none() && !f.has("image") && !f.has("build") {
        ctx.error(f.pos, format!("{what} needs an \"image\" or a \"build\""));
    }
}

/// What runs and with which environment: `command`, `entrypoint`, `environment`,
/// `env_file`, `user`, `working_dir`.
fn process(ctx: &mut Ctx, f: &Fields, s: &mut Service) {
    s.command = f
        .get("command")
        .and_then(|n| command(ctx, n, &f.field("command")));
    s.entrypoint = f
        .get("entrypoint")
        .and_then(|n| command(ctx, n, &f.field("entrypoint")));
    if let Some(env) = f.get("environment") {
        s.environment = optional_string_map(ctx, env, &f.field("environment"))
            .into_iter()
            .map(|(name, value)| EnvVar { name, value })
            .collect();
    }
    if let Some(n) = f.get("env_file") {
        let files = match &n.value {
            Value::Str(_) => string(ctx, n, &f.field("env_file")).into_iter().collect(),
            _ => string_list(ctx, n, &f.field("env_file")),
        };
        for file in files {
            if let Some(p) = inside_lab(ctx, n.pos, &file, "env_file") {
                s.env_file.push(p);
            }
        }
    }
    s.user = f.str(ctx, "user");
    s.working_dir = f.str(ctx, "working_dir");
}

/// How the service meets the rest of the stack: `ports`, `expose`, `networks`, `volumes`.
fn attachments(ctx: &mut Ctx, f: &Fields, what: &str, declared: &Declared, s: &mut Service) {
    if let Some(n) = f.get("ports") {
        s.ports = list_of(ctx, n, &f.field("ports"), |ctx, item| port(ctx, item, true));
    }
    if let Some(n) = f.get("expose") {
        s.expose = list_of(ctx, n, &f.field("expose"), |ctx, item| {
            port(ctx, item, false)
        });
    }
    if let Some(n) = f.get("networks") {
        s.networks = service_networks(ctx, n, what, declared);
    }
    if let Some(n) = f.get("volumes") {
        s.volumes = list_of(ctx, n, &f.field("volumes"), |ctx, item| {
            mount(ctx, item, declared)
        });
    }
}

/// `labels`, minus the `io.lab.` prefix that lab's own labels use.
fn labels(ctx: &mut Ctx, f: &Fields, what: &str, s: &mut Service) {
    s.labels = f.str_map(ctx, "labels");
    for (k, _) in &s.labels {
        if k.starts_with("io.lab.")
            && let Some(p) = f.key_pos("labels")
        {
            ctx.error(
                p,
                format!(
                    "label \"{k}\" in {what}: the io.lab. prefix is reserved for lab's own labels"
                ),
            );
        }
    }
}

/// Privileges and resources: `read_only`, capabilities, `security_opt`, memory, CPUs, PIDs.
fn limits(ctx: &mut Ctx, f: &Fields, s: &mut Service) {
    s.read_only = f.bool(ctx, "read_only").unwrap_or(false);
    s.cap_add = f.str_list(ctx, "cap_add");
    s.cap_drop = f.str_list(ctx, "cap_drop");
    s.security_opt = f.str_list(ctx, "security_opt");
    s.mem_limit = f.size(ctx, "mem_limit");
    if let Some(n) = f.get("memswap_limit") {
        if matches!(n.value, Value::Int(-1)) || n.as_str() == Some("-1") {
            s.memswap_unlimited = true;
        } else {
            s.memswap_limit = size(ctx, n, &f.field("memswap_limit"));
        }
    }
    s.cpus = f.get("cpus").and_then(|n| {
        let v = float(ctx, n, &f.field("cpus"))?;
        if v <= 0.0 || v > 1024.0 {
            ctx.error(
                n.pos,
                format!(
                    "{} must be a positive number of CPUs, found {v}",
                    f.field("cpus")
                ),
            );
            return None;
        }
        Some(v)
    });
    s.pids_limit = f.int(ctx, "pids_limit", -1, i64::from(i32::MAX));
}

/// PID 1 and how the service is stopped: `init`, `stop_signal`, `stop_grace_period`.
fn stopping(ctx: &mut Ctx, f: &Fields, s: &mut Service) {
    s.init = f.bool(ctx, "init");
    if let Some(n) = f.get("stop_signal") {
        s.stop_signal =
            string(ctx, n, &f.field("stop_signal")).and_then(|sig| match normalize_signal(&sig) {
                Some(_) => Some(sig),
                None => {
                    ctx.error(
                        n.pos,
                        format!("unknown signal \"{sig}\" for {}", f.field("stop_signal")),
                    )
                    .help = Some("use a name such as SIGTERM, SIGINT, SIGQUIT or SIGUSR1".into());
                    None
                }
            });
    }
    s.stop_grace_period = f.dur(ctx, "stop_grace_period");
}

/// Where the output goes: `logging`, `tty`, `stdin_open`.
fn terminal_and_logging(ctx: &mut Ctx, f: &Fields, what: &str, s: &mut Service) {
    s.logging = f.get("logging").and_then(|n| {
        let lf = Fields::open(ctx, n, &format!("\"logging\" in {what}"), &LOGGING, false)?;
        Some(Logging {
            driver: lf.str(ctx, "driver"),
            options: lf.str_map(ctx, "options"),
        })
    });
    s.tty = f.bool(ctx, "tty").unwrap_or(false);
    s.stdin_open = f.bool(ctx, "stdin_open").unwrap_or(false);
}

/// Names: `container_name`, `hostname`, `extra_hosts`.
fn naming(ctx: &mut Ctx, f: &Fields, s: &mut Service) {
    s.container_name = f.get("container_name").and_then(|n| {
        let c = string(ctx, n, &f.field("container_name"))?;
        let ok = c.chars().next().is_some_and(|ch| ch.is_ascii_alphanumeric())
            && c.chars().all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch));
        if !ok {
            ctx.error(n.pos, format!("container name \"{c}\" must start with a letter or digit and hold only letters, digits, '_', '.' and '-'"));
            return None;
        }
        Some(c)
    });
    s.hostname = f.str(ctx, "hostname");
    if let Some(n) = f.get("extra_hosts") {
        s.extra_hosts = extra_hosts(ctx, n, &f.field("extra_hosts"));
    }
}

/// `pull_policy`; `build` needs a build section.
fn pull_policy(ctx: &mut Ctx, f: &Fields, what: &str, s: &mut Service) {
    if let Some(n) = f.get("pull_policy") {
        s.pull_policy = match string(ctx, n, &f.field("pull_policy")).as_deref() {
            Some("always") => PullPolicy::Always,
            Some("never") => PullPolicy::Never,
            Some("missing") | Some("if_not_present") => PullPolicy::Missing,
            Some("build") => PullPolicy::Build,
            Some(other) => {
                ctx.error(n.pos, format!("unknown pull_policy \"{other}\" in {what}"))
                    .help = Some("use always, never, missing or build".into());
                PullPolicy::Missing
            }
            None => PullPolicy::Missing,
        };
    }
    if s.pull_policy == PullPolicy::Build
        && s.build.is_none()
        && let Some(p) = f.key_pos("pull_policy")
    {
        ctx.error(
            p,
            format!("pull_policy \"build\" in {what} needs a \"build\" section"),
        );
    }
}

/// `privileged`, `network_mode`, `pid`: the host's namespaces and full privileges are gated
/// by the safety policy. Runs after [`attachments`], which it checks `networks` against.
fn unsafe_options(ctx: &mut Ctx, f: &Fields, what: &str, s: &mut Service) {
    if let Some(true) = f.bool(ctx, "privileged") {
        s.privileged = true;
        if let Some(p) = f.get("privileged").map(|n| n.pos) {
            ctx.unsafe_option(p, format!("{what} asks to run privileged"));
        }
    }
    if let Some(n) = f.get("network_mode") {
        s.network_mode = string(ctx, n, &f.field("network_mode"));
        match s.network_mode.as_deref() {
            Some("host") => ctx.unsafe_option(
                n.pos,
                format!("{what} asks for the host's network namespace"),
            ),
            Some("bridge") | Some("none") | None => {}
            Some(m) if m.starts_with("service:") || m.starts_with("container:") => {}
            Some(m) => {
                ctx.error(n.pos, format!("unknown network_mode \"{m}\" in {what}"))
                    .help = Some("use bridge, none, host, service:NAME or container:NAME".into());
            }
        }
        if !s.networks.is_empty() {
            ctx.error(
                n.pos,
                format!(
                    "{what} sets both \"network_mode\" and \"networks\"; Compose allows only one"
                ),
            );
        }
    }
    if let Some(n) = f.get("pid") {
        s.pid = string(ctx, n, &f.field("pid"));
        if s.pid.as_deref() == Some("host") {
            ctx.unsafe_option(n.pos, format!("{what} asks for the host's PID namespace"));
        }
    }
}

fn restart(ctx: &mut Ctx, node: &Node, what: &str) -> Option<RestartPolicy> {
    // YAML 1.1 readers turn an unquoted `no` into false; accept both spellings.
    if let Value::Bool(false) = node.value {
        return Some(RestartPolicy::No);
    }
    let text = string(ctx, node, what)?;
    Some(match text.as_str() {
        "no" => RestartPolicy::No,
        "always" => RestartPolicy::Always,
        "unless-stopped" => RestartPolicy::UnlessStopped,
        "on-failure" => RestartPolicy::OnFailure { max_retries: None },
        t if t.starts_with("on-failure:") => match t["on-failure:".len()..].parse::<u32>() {
            Ok(n) => RestartPolicy::OnFailure {
                max_retries: Some(n),
            },
            Err(_) => {
                ctx.error(
                    node.pos,
                    format!("bad retry count in restart policy \"{t}\" (write on-failure:3)"),
                );
                return None;
            }
        },
        other => {
            let known = ["no", "always", "on-failure", "unless-stopped"];
            let d = ctx.error(
                node.pos,
                format!("unknown restart policy {}", describe(node)),
            );
            match nearest(other, &known) {
                Some(near) => d.suggestion = Some(format!("did you mean \"{near}\"?")),
                None => d.help = Some("use no, always, on-failure[:N] or unless-stopped".into()),
            }
            return None;
        }
    })
}

fn extra_hosts(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<(String, String)> {
    match &node.value {
        Value::Map(_) => string_map(ctx, node, what),
        Value::Seq(items) => items
            .iter()
            .filter_map(|n| {
                let s = string(ctx, n, what)?;
                let split = s.split_once('=').or_else(|| s.split_once(':'));
                match split {
                    Some((h, ip)) if !h.is_empty() && !ip.is_empty() => {
                        Some((h.to_string(), ip.to_string()))
                    }
                    _ => {
                        ctx.error(
                            n.pos,
                            format!("bad extra host \"{s}\" (write HOST:IP or HOST=IP)"),
                        );
                        None
                    }
                }
            })
            .collect(),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a list or a map for {what}, found {}",
                    node.kind_name()
                ),
            );
            Vec::new()
        }
    }
}
