//! The `yaml stack` block: Compose's fields, typed, with lab's safety policy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::{
    Ctx, Fields, Schema, describe, int, optional_string_map, string, string_list, string_map,
};
use crate::course::yaml::{Node, Pos, Value};
use crate::model::{
    Build, CommandLine, Dependency, DependencyCondition, EnvVar, HealthTest, Healthcheck, Logging,
    Mount, MountKind, NetworkDef, PortSpec, Protocol, PullPolicy, RestartPolicy, Service,
    ServiceNetwork, Stack, VolumeDef,
};

const TOP: Schema = Schema {
    known: &["services", "networks", "volumes", "version"],
    unsupported: &["name", "configs", "secrets", "include", "models"],
};

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
        "deploy",
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
        "scale",
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

const BUILD: Schema = Schema {
    known: &["context", "dockerfile", "args"],
    unsupported: &[
        "target",
        "cache_from",
        "cache_to",
        "labels",
        "network",
        "shm_size",
        "ssh",
        "secrets",
        "tags",
        "platforms",
        "extra_hosts",
        "isolation",
        "no_cache",
        "pull",
        "privileged",
        "additional_contexts",
        "dockerfile_inline",
        "entitlements",
        "ulimits",
    ],
};

const HEALTH: Schema = Schema {
    known: &[
        "test",
        "interval",
        "timeout",
        "retries",
        "start_period",
        "disable",
    ],
    unsupported: &["start_interval"],
};

const DEPENDS: Schema = Schema {
    known: &["condition"],
    unsupported: &["restart", "required"],
};

const PORT_LONG: Schema = Schema {
    known: &["target", "published", "host_ip", "protocol"],
    unsupported: &["mode", "name", "app_protocol"],
};

const VOLUME_LONG: Schema = Schema {
    known: &["type", "source", "target", "read_only", "tmpfs"],
    unsupported: &["bind", "volume", "consistency", "image", "npipe", "cluster"],
};

const TMPFS_OPTS: Schema = Schema {
    known: &["size"],
    unsupported: &["mode"],
};

const SERVICE_NET: Schema = Schema {
    known: &["aliases"],
    unsupported: &[
        "ipv4_address",
        "ipv6_address",
        "link_local_ips",
        "mac_address",
        "driver_opts",
        "priority",
        "gw_priority",
        "interface_name",
    ],
};

const NETWORK: Schema = Schema {
    known: &["driver", "labels", "internal"],
    unsupported: &[
        "external",
        "name",
        "ipam",
        "driver_opts",
        "attachable",
        "enable_ipv6",
        "enable_ipv4",
    ],
};

const VOLUME: Schema = Schema {
    known: &["driver", "labels"],
    unsupported: &["external", "name", "driver_opts"],
};

const LOGGING: Schema = Schema::known(&["driver", "options"]);

/// Decode a stack block. Returns `None` when the block is not a map at all.
pub fn decode(ctx: &mut Ctx, node: &Node) -> Option<Stack> {
    let top = Fields::open(ctx, node, "the stack", &TOP, true)?;
    let mut stack = Stack::default();

    if let Some(nets) = top.get("networks") {
        stack.networks = named_map(ctx, nets, "\"networks\"")
            .into_iter()
            .filter_map(|(name, _, v)| network(ctx, &name, v))
            .collect();
    }
    if let Some(vols) = top.get("volumes") {
        stack.volumes = named_map(ctx, vols, "\"volumes\"")
            .into_iter()
            .filter_map(|(name, _, v)| volume(ctx, &name, v))
            .collect();
    }
    let declared = Declared {
        networks: stack.networks.iter().map(|n| n.name.clone()).collect(),
        volumes: stack.volumes.iter().map(|v| v.name.clone()).collect(),
    };

    let Some(services) = top.required(ctx, "services") else {
        return Some(stack);
    };
    let entries = named_map(ctx, services, "\"services\"");
    let names: BTreeSet<String> = entries.iter().map(|(n, _, _)| n.clone()).collect();
    let mut dep_pos: BTreeMap<(String, String), Pos> = BTreeMap::new();
    for (name, key, body) in &entries {
        if !valid_service_name(name) {
            ctx.error(
                key.pos,
                format!("service name \"{name}\" may only hold letters, digits, '.', '_' and '-'"),
            );
        }
        if let Some(s) = service(ctx, name, body, &declared, &names, &mut dep_pos) {
            stack.services.push(s);
        }
    }
    report_cycles(ctx, &stack, &dep_pos);
    Some(stack)
}

struct Declared {
    networks: BTreeSet<String>,
    volumes: BTreeSet<String>,
}

/// A map whose keys are names (services, networks, volumes).
fn named_map<'n>(ctx: &mut Ctx, node: &'n Node, what: &str) -> Vec<(String, &'n Node, &'n Node)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| {
                let name = string(ctx, k, &format!("a name in {what}"))?;
                Some((name, k, v))
            })
            .collect(),
        Value::Null => Vec::new(),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a map of names for {what}, found {}",
                    node.kind_name()
                ),
            );
            Vec::new()
        }
    }
}

fn valid_service_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
}

fn network(ctx: &mut Ctx, name: &str, node: &Node) -> Option<NetworkDef> {
    let f = Fields::open(ctx, node, &format!("network \"{name}\""), &NETWORK, true)?;
    Some(NetworkDef {
        name: name.to_string(),
        driver: f.str(ctx, "driver"),
        internal: f.bool(ctx, "internal").unwrap_or(false),
        labels: f.str_map(ctx, "labels"),
    })
}

fn volume(ctx: &mut Ctx, name: &str, node: &Node) -> Option<VolumeDef> {
    let f = Fields::open(ctx, node, &format!("volume \"{name}\""), &VOLUME, true)?;
    Some(VolumeDef {
        name: name.to_string(),
        driver: f.str(ctx, "driver"),
        labels: f.str_map(ctx, "labels"),
    })
}

fn service(
    ctx: &mut Ctx,
    name: &str,
    node: &Node,
    declared: &Declared,
    names: &BTreeSet<String>,
    dep_pos: &mut BTreeMap<(String, String), Pos>,
) -> Option<Service> {
    let what = format!("service \"{name}\"");
    let f = Fields::open(ctx, node, &what, &SERVICE, true)?;
    let mut s = Service {
        name: name.to_string(),
        ..Service::default()
    };

    s.image = f.str(ctx, "image");
    s.build = f.get("build").and_then(|n| build(ctx, n, &what));
    if s.image.is_none() && s.build.is_none() && !f.has("image") && !f.has("build") {
        ctx.error(f.pos, format!("{what} needs an \"image\" or a \"build\""));
    }
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
    if let Some(n) = f.get("ports") {
        s.ports = list_of(ctx, n, &f.field("ports"), |ctx, item| port(ctx, item, true));
    }
    if let Some(n) = f.get("expose") {
        s.expose = list_of(ctx, n, &f.field("expose"), |ctx, item| {
            port(ctx, item, false)
        });
    }
    if let Some(n) = f.get("networks") {
        s.networks = service_networks(ctx, n, &what, declared);
    }
    if let Some(n) = f.get("volumes") {
        s.volumes = list_of(ctx, n, &f.field("volumes"), |ctx, item| {
            mount(ctx, item, declared)
        });
    }
    s.healthcheck = f
        .get("healthcheck")
        .and_then(|n| healthcheck(ctx, n, &what));
    if let Some(n) = f.get("depends_on") {
        s.depends_on = depends_on(ctx, n, name, names, dep_pos);
    }
    s.restart = f
        .get("restart")
        .and_then(|n| restart(ctx, n, &f.field("restart")));
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
    s.user = f.str(ctx, "user");
    s.working_dir = f.str(ctx, "working_dir");
    s.read_only = f.bool(ctx, "read_only").unwrap_or(false);
    s.cap_add = f.str_list(ctx, "cap_add");
    s.cap_drop = f.str_list(ctx, "cap_drop");
    s.security_opt = f.str_list(ctx, "security_opt");
    s.mem_limit = f.size(ctx, "mem_limit");
    if let Some(n) = f.get("memswap_limit") {
        if matches!(n.value, Value::Int(-1)) || n.as_str() == Some("-1") {
            s.memswap_unlimited = true;
        } else {
            s.memswap_limit = super::size(ctx, n, &f.field("memswap_limit"));
        }
    }
    s.cpus = f.get("cpus").and_then(|n| {
        let v = super::float(ctx, n, &f.field("cpus"))?;
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
    s.logging = f.get("logging").and_then(|n| {
        let lf = Fields::open(ctx, n, &format!("\"logging\" in {what}"), &LOGGING, false)?;
        Some(Logging {
            driver: lf.str(ctx, "driver"),
            options: lf.str_map(ctx, "options"),
        })
    });
    s.tty = f.bool(ctx, "tty").unwrap_or(false);
    s.stdin_open = f.bool(ctx, "stdin_open").unwrap_or(false);
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

    // Unsafe options, gated by the policy.
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
    Some(s)
}

fn list_of<T>(
    ctx: &mut Ctx,
    node: &Node,
    what: &str,
    mut each: impl FnMut(&mut Ctx, &Node) -> Option<T>,
) -> Vec<T> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|n| each(ctx, n)).collect(),
        Value::Null => Vec::new(),
        _ => {
            ctx.error(
                node.pos,
                format!("expected a list for {what}, found {}", node.kind_name()),
            );
            Vec::new()
        }
    }
}

fn build(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Build> {
    let bwhat = format!("\"build\" in {what}");
    let (context, ctx_pos, dockerfile, args) = match &node.value {
        Value::Str(s) => (s.clone(), node.pos, None, Vec::new()),
        _ => {
            let f = Fields::open(ctx, node, &bwhat, &BUILD, true)?;
            let ctx_pos = f.get("context").map(|n| n.pos).unwrap_or(f.pos);
            let context = f.str(ctx, "context").unwrap_or_else(|| ".".into());
            (
                context,
                ctx_pos,
                f.str(ctx, "dockerfile"),
                f.str_map(ctx, "args"),
            )
        }
    };
    let context = inside_lab(ctx, ctx_pos, &context, "a build context")?;
    Some(Build {
        context,
        dockerfile,
        args,
    })
}

/// A path written relative to the lab folder; it must stay inside it.
fn inside_lab(ctx: &mut Ctx, pos: Pos, path: &str, what: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    if p.is_absolute() || escapes(p) {
        ctx.error(
            pos,
            format!("{what} must be a path inside the lab folder, found \"{path}\""),
        );
        return None;
    }
    Some(p.to_path_buf())
}

/// Whether a relative path climbs out of its folder (`../x`, `a/../../x`).
fn escapes(p: &Path) -> bool {
    let mut depth: i32 = 0;
    for c in p.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

pub fn command(ctx: &mut Ctx, node: &Node, what: &str) -> Option<CommandLine> {
    match &node.value {
        Value::Str(s) => Some(CommandLine::Shell(s.clone())),
        Value::Seq(items) => Some(CommandLine::Exec(
            items.iter().filter_map(|n| string(ctx, n, what)).collect(),
        )),
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a string or a list for {what}, found {}",
                    node.kind_name()
                ),
            );
            None
        }
    }
}

fn port(ctx: &mut Ctx, node: &Node, publish: bool) -> Option<PortSpec> {
    if let Value::Map(_) = node.value {
        let f = Fields::open(ctx, node, "a port", &PORT_LONG, true)?;
        let target = f.required(ctx, "target")?;
        let container_port = port_number(ctx, target)?;
        let host_port = match f.get("published") {
            Some(n) => Some(port_number(ctx, n)?),
            None => None,
        };
        let protocol = match f.str(ctx, "protocol").as_deref() {
            None | Some("tcp") => Protocol::Tcp,
            Some("udp") => Protocol::Udp,
            Some(other) => {
                ctx.error(
                    f.pos,
                    format!("unknown protocol \"{other}\" (use tcp or udp)"),
                );
                return None;
            }
        };
        return Some(PortSpec {
            host_ip: f.str(ctx, "host_ip"),
            host_port,
            container_port,
            protocol,
        });
    }
    let text = node.scalar_text().or_else(|| {
        ctx.error(
            node.pos,
            format!(
                "expected a port such as \"8080\" or \"18080:80\", found {}",
                node.kind_name()
            ),
        );
        None
    })?;
    match parse_port(&text, publish) {
        Ok(p) => Some(p),
        Err(e) => {
            ctx.error(node.pos, format!("bad port \"{text}\": {e}"));
            None
        }
    }
}

fn port_number(ctx: &mut Ctx, node: &Node) -> Option<u16> {
    int(ctx, node, "a port number", 1, 65535).map(|p| p as u16)
}

/// `[ip:][host:]container[/proto]`.
pub fn parse_port(text: &str, publish: bool) -> Result<PortSpec, String> {
    let (spec, protocol) = match text.rsplit_once('/') {
        Some((s, "tcp")) => (s, Protocol::Tcp),
        Some((s, "udp")) => (s, Protocol::Udp),
        Some((_, p)) => return Err(format!("unknown protocol \"{p}\" (use tcp or udp)")),
        None => (text, Protocol::Tcp),
    };
    let num = |s: &str| -> Result<u16, String> {
        if s.contains('-') {
            return Err("port ranges are not supported by lab v1".into());
        }
        match s.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
            _ => Err(format!("\"{s}\" is not a port number (1-65535)")),
        }
    };
    // IPv6 host addresses come in brackets: [::1]:8080:80
    let (host_ip, rest) = if let Some(stripped) = spec.strip_prefix('[') {
        let (ip, rest) = stripped
            .split_once("]:")
            .ok_or_else(|| "an IPv6 address must be written [addr]:host:container".to_string())?;
        (Some(ip.to_string()), rest)
    } else {
        (None, spec)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, host, container) = match (host_ip, parts.as_slice()) {
        (None, [c]) => (None, None, num(c)?),
        (ip, [h, c]) if ip.is_some() => {
            (ip, if h.is_empty() { None } else { Some(num(h)?) }, num(c)?)
        }
        (None, [h, c]) => (None, Some(num(h)?), num(c)?),
        (None, [ip, h, c]) => (
            Some((*ip).to_string()),
            if h.is_empty() { None } else { Some(num(h)?) },
            num(c)?,
        ),
        _ => return Err("write it as CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER".into()),
    };
    if !publish && (ip.is_some() || host.is_some()) {
        return Err("expose takes a container port only".into());
    }
    Ok(PortSpec {
        host_ip: ip,
        host_port: host,
        container_port: container,
        protocol,
    })
}

fn service_networks(
    ctx: &mut Ctx,
    node: &Node,
    what: &str,
    declared: &Declared,
) -> Vec<ServiceNetwork> {
    let mut out = Vec::new();
    let check = |ctx: &mut Ctx, name: &str, pos: Pos| {
        if name != "default" && !declared.networks.contains(name) {
            let known: Vec<&str> = declared.networks.iter().map(String::as_str).collect();
            let d = ctx.error(
                pos,
                format!(
                    "network \"{name}\" used by {what} is not declared under top-level \"networks\""
                ),
            );
            if let Some(near) = super::nearest(name, &known) {
                d.suggestion = Some(format!("did you mean \"{near}\"?"));
            }
        }
    };
    match &node.value {
        Value::Seq(items) => {
            for n in items {
                if let Some(name) = string(ctx, n, &format!("\"networks\" in {what}")) {
                    check(ctx, &name, n.pos);
                    out.push(ServiceNetwork {
                        name,
                        aliases: Vec::new(),
                    });
                }
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = string(ctx, k, &format!("\"networks\" in {what}")) else {
                    continue;
                };
                check(ctx, &name, k.pos);
                let aliases = match Fields::open(
                    ctx,
                    v,
                    &format!("network \"{name}\" of {what}"),
                    &SERVICE_NET,
                    true,
                ) {
                    Some(f) => f.str_list(ctx, "aliases"),
                    None => Vec::new(),
                };
                out.push(ServiceNetwork { name, aliases });
            }
        }
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a list or a map for \"networks\" in {what}, found {}",
                    node.kind_name()
                ),
            );
        }
    }
    out
}

fn mount(ctx: &mut Ctx, node: &Node, declared: &Declared) -> Option<Mount> {
    if let Value::Map(_) = node.value {
        let f = Fields::open(ctx, node, "a volume", &VOLUME_LONG, true)?;
        let target = f.req_str(ctx, "target")?;
        let read_only = f.bool(ctx, "read_only").unwrap_or(false);
        let ty = f.str(ctx, "type").unwrap_or_else(|| "volume".into());
        let source = f.str(ctx, "source");
        let src_pos = f.get("source").map(|n| n.pos).unwrap_or(f.pos);
        let kind = match ty.as_str() {
            "volume" => match source {
                Some(name) => {
                    named_volume(ctx, &name, src_pos, declared);
                    MountKind::Volume { name }
                }
                None => MountKind::Anonymous,
            },
            "bind" => {
                let Some(src) = source else {
                    ctx.error(f.pos, "a bind mount needs a \"source\"");
                    return None;
                };
                MountKind::Bind {
                    source: bind_source(ctx, &src, src_pos)?,
                }
            }
            "tmpfs" => {
                let size = match f.get("tmpfs") {
                    Some(n) => Fields::open(ctx, n, "\"tmpfs\" options", &TMPFS_OPTS, false)
                        .and_then(|t| t.size(ctx, "size")),
                    None => None,
                };
                MountKind::Tmpfs { size }
            }
            other => {
                ctx.error(f.get("type").map(|n| n.pos).unwrap_or(f.pos), format!("volume type \"{other}\" is not supported by lab v1 (use volume, bind or tmpfs)"));
                return None;
            }
        };
        check_target(ctx, &target, f.pos)?;
        return Some(Mount {
            kind,
            target,
            read_only,
        });
    }
    let text = string(ctx, node, "a volume")?;
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m] => (Some(*s), *t, Some(*m)),
        _ => {
            ctx.error(
                node.pos,
                format!("bad volume \"{text}\": write SOURCE:TARGET[:ro]"),
            );
            return None;
        }
    };
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(m) => {
            ctx.error(
                node.pos,
                format!("bad volume mode \"{m}\" in \"{text}\" (use ro or rw)"),
            );
            return None;
        }
    };
    check_target(ctx, target, node.pos)?;
    let kind = match source {
        None => MountKind::Anonymous,
        Some(s) if s.starts_with('.') || s.starts_with('/') || s.starts_with('~') => {
            MountKind::Bind {
                source: bind_source(ctx, s, node.pos)?,
            }
        }
        Some(name) => {
            named_volume(ctx, name, node.pos, declared);
            MountKind::Volume {
                name: name.to_string(),
            }
        }
    };
    Some(Mount {
        kind,
        target: target.to_string(),
        read_only,
    })
}

fn check_target(ctx: &mut Ctx, target: &str, pos: Pos) -> Option<()> {
    if !target.starts_with('/') {
        ctx.error(
            pos,
            format!("a mount target must be an absolute path in the container, found \"{target}\""),
        );
        return None;
    }
    Some(())
}

fn named_volume(ctx: &mut Ctx, name: &str, pos: Pos, declared: &Declared) {
    if !declared.volumes.contains(name) {
        let known: Vec<&str> = declared.volumes.iter().map(String::as_str).collect();
        let d = ctx.error(
            pos,
            format!("volume \"{name}\" is not declared under top-level \"volumes\""),
        );
        if let Some(near) = super::nearest(name, &known) {
            d.suggestion = Some(format!("did you mean \"{near}\"?"));
        }
    }
}

/// Bind sources: the docker socket never; outside the lab folder only with --allow-unsafe.
fn bind_source(ctx: &mut Ctx, src: &str, pos: Pos) -> Option<PathBuf> {
    if src.ends_with("docker.sock") {
        ctx.unsafe_option(
            pos,
            format!(
                "mounting the Docker socket (\"{src}\") gives the container control of the engine"
            ),
        );
        return Some(PathBuf::from(src));
    }
    let p = Path::new(src);
    if src.starts_with('~') || p.is_absolute() {
        let inside = p.is_absolute() && p.starts_with(ctx.lab_dir);
        if !inside {
            ctx.unsafe_option(
                pos,
                format!("bind mount of \"{src}\" reaches outside the lab folder"),
            );
        }
        return Some(p.to_path_buf());
    }
    if escapes(p) {
        ctx.unsafe_option(
            pos,
            format!("bind mount of \"{src}\" reaches outside the lab folder"),
        );
    }
    Some(p.to_path_buf())
}

fn healthcheck(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Healthcheck> {
    let hwhat = format!("\"healthcheck\" in {what}");
    let f = Fields::open(ctx, node, &hwhat, &HEALTH, true)?;
    let test = match f.get("test") {
        None => None,
        Some(n) => match &n.value {
            Value::Str(s) => Some(HealthTest::CmdShell(s.clone())),
            Value::Seq(items) => {
                let words: Vec<String> = items
                    .iter()
                    .filter_map(|i| string(ctx, i, &hwhat))
                    .collect();
                match words.split_first() {
                    Some((first, rest)) if first == "NONE" => {
                        let _ = rest;
                        Some(HealthTest::None)
                    }
                    Some((first, rest)) if first == "CMD" && !rest.is_empty() => {
                        Some(HealthTest::Cmd(rest.to_vec()))
                    }
                    Some((first, rest)) if first == "CMD-SHELL" && rest.len() == 1 => {
                        Some(HealthTest::CmdShell(rest[0].clone()))
                    }
                    _ => {
                        ctx.error(n.pos, format!("a healthcheck test list must start with \"CMD\", \"CMD-SHELL\" or \"NONE\" ({hwhat})"))
                            .help = Some("e.g. [\"CMD-SHELL\", \"wget -qO- localhost:8080\"] or [\"CMD\", \"true\"]".into());
                        None
                    }
                }
            }
            _ => {
                ctx.error(
                    n.pos,
                    format!(
                        "expected a string or a list for \"test\" in {hwhat}, found {}",
                        n.kind_name()
                    ),
                );
                None
            }
        },
    };
    Some(Healthcheck {
        test,
        interval: f.dur(ctx, "interval"),
        timeout: f.dur(ctx, "timeout"),
        retries: f.int(ctx, "retries", 0, 10_000).map(|r| r as u32),
        start_period: f.dur(ctx, "start_period"),
        disable: f.bool(ctx, "disable").unwrap_or(false),
    })
}

fn depends_on(
    ctx: &mut Ctx,
    node: &Node,
    me: &str,
    names: &BTreeSet<String>,
    dep_pos: &mut BTreeMap<(String, String), Pos>,
) -> Vec<Dependency> {
    let what = format!("\"depends_on\" in service \"{me}\"");
    let mut out = Vec::new();
    let mut add = |ctx: &mut Ctx, name: String, pos: Pos, condition: DependencyCondition| {
        if name == me {
            ctx.error(pos, format!("service \"{me}\" depends on itself"));
            return;
        }
        if !names.contains(&name) {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            let d = ctx.error(
                pos,
                format!(
                    "service \"{me}\" depends on \"{name}\", which is not a service of this stack"
                ),
            );
            if let Some(near) = super::nearest(&name, &known) {
                d.suggestion = Some(format!("did you mean \"{near}\"?"));
            }
            return;
        }
        dep_pos.insert((me.to_string(), name.clone()), pos);
        out.push(Dependency {
            service: name,
            condition,
        });
    };
    match &node.value {
        Value::Seq(items) => {
            for n in items {
                if let Some(name) = string(ctx, n, &what) {
                    add(ctx, name, n.pos, DependencyCondition::ServiceStarted);
                }
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = string(ctx, k, &what) else {
                    continue;
                };
                let Some(f) = Fields::open(
                    ctx,
                    v,
                    &format!("dependency \"{name}\" of service \"{me}\""),
                    &DEPENDS,
                    true,
                ) else {
                    continue;
                };
                let condition = match f.get("condition") {
                    None => DependencyCondition::ServiceStarted,
                    Some(c) => match string(ctx, c, "a condition").as_deref() {
                        Some("service_started") => DependencyCondition::ServiceStarted,
                        Some("service_healthy") => DependencyCondition::ServiceHealthy,
                        Some("service_completed_successfully") => {
                            DependencyCondition::ServiceCompletedSuccessfully
                        }
                        Some(other) => {
                            let known = [
                                "service_started",
                                "service_healthy",
                                "service_completed_successfully",
                            ];
                            let d = ctx.error(
                                c.pos,
                                format!("unknown condition \"{other}\" for dependency \"{name}\""),
                            );
                            match super::nearest(other, &known) {
                                Some(near) => {
                                    d.suggestion = Some(format!("did you mean \"{near}\"?"))
                                }
                                None => d.help = Some(format!("use one of {}", known.join(", "))),
                            }
                            continue;
                        }
                        None => continue,
                    },
                };
                add(ctx, name, k.pos, condition);
            }
        }
        _ => {
            ctx.error(
                node.pos,
                format!(
                    "expected a list or a map for {what}, found {}",
                    node.kind_name()
                ),
            );
        }
    }
    out
}

/// Report each dependency cycle once, naming it (`a → b → a`), at the edge that closes it.
fn report_cycles(ctx: &mut Ctx, stack: &Stack, dep_pos: &BTreeMap<(String, String), Pos>) {
    let edges: BTreeMap<&str, Vec<&str>> = stack
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.depends_on.iter().map(|d| d.service.as_str()).collect(),
            )
        })
        .collect();
    let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    // 0 = unvisited, 1 = on the path, 2 = done
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for s in &stack.services {
        let mut path: Vec<&str> = Vec::new();
        visit(
            s.name.as_str(),
            &edges,
            &mut state,
            &mut path,
            &mut |cycle: Vec<&str>| {
                let members: BTreeSet<String> = cycle.iter().map(|s| s.to_string()).collect();
                if !reported.insert(members) {
                    return;
                }
                let closing = (
                    cycle[cycle.len() - 2].to_string(),
                    cycle[cycle.len() - 1].to_string(),
                );
                let pos = dep_pos.get(&closing).copied().unwrap_or_default();
                ctx.error(pos, format!("dependency cycle: {}", cycle.join(" → ")))
                    .help =
                    Some("depends_on must not loop back; remove one of these dependencies".into());
            },
        );
    }
}

fn visit<'a>(
    node: &'a str,
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    state: &mut BTreeMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
    found: &mut dyn FnMut(Vec<&'a str>),
) {
    match state.get(node).copied().unwrap_or(0) {
        2 => return,
        1 => {
            if let Some(start) = path.iter().position(|n| *n == node) {
                let mut cycle = path[start..].to_vec();
                cycle.push(node);
                found(cycle);
            }
            return;
        }
        _ => {}
    }
    state.insert(node, 1);
    path.push(node);
    for next in edges.get(node).into_iter().flatten() {
        visit(next, edges, state, path, found);
    }
    path.pop();
    state.insert(node, 2);
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
            match super::nearest(other, &known) {
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

/// `SIGTERM`, `term`, `15` → the upper-case name without `SIG` (`TERM`); `None` if unknown.
pub fn normalize_signal(sig: &str) -> Option<String> {
    const NAMES: &[&str] = &[
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];
    let s = sig.trim().to_ascii_uppercase();
    if let Ok(n) = s.parse::<usize>() {
        return (1..=31).contains(&n).then(|| NAMES[n - 1].to_string());
    }
    let bare = s.strip_prefix("SIG").unwrap_or(&s);
    NAMES.contains(&bare).then(|| bare.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        let p = parse_port("8080", true).unwrap();
        assert_eq!((p.host_port, p.container_port), (None, 8080));
        let p = parse_port("127.0.0.1:18080:80/udp", true).unwrap();
        assert_eq!(p.host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            (p.host_port, p.container_port, p.protocol),
            (Some(18080), 80, Protocol::Udp)
        );
        let p = parse_port("[::1]:18080:80", true).unwrap();
        assert_eq!(p.host_ip.as_deref(), Some("::1"));
        let p = parse_port("127.0.0.1::80", true).unwrap();
        assert_eq!(p.host_port, None);
        for bad in ["0", "70000", "80-90", "a:b", "1:2:3:4", "80/sctp", ""] {
            assert!(parse_port(bad, true).is_err(), "{bad}");
        }
        assert!(parse_port("1:2", false).is_err());
    }

    #[test]
    fn signals() {
        assert_eq!(normalize_signal("SIGTERM").as_deref(), Some("TERM"));
        assert_eq!(normalize_signal("kill").as_deref(), Some("KILL"));
        assert_eq!(normalize_signal("9").as_deref(), Some("KILL"));
        assert_eq!(normalize_signal("SIGFOO"), None);
    }

    #[test]
    fn escaping_paths() {
        assert!(escapes(Path::new("../x")));
        assert!(escapes(Path::new("a/../../x")));
        assert!(!escapes(Path::new("a/../b")));
        assert!(!escapes(Path::new("./files/x")));
    }
}
