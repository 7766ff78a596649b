//! What a submission's script may ask the engine for. A script is the student's code: it
//! may run, build, network and store what a lab asks, but not escape to the host (a
//! privileged container, the host's namespaces, its files outside the workspace, the
//! engine's socket, capabilities beyond the ordinary ones, devices) nor reach beyond the
//! engine's basics. Keys are read as the engine reads them ([`super::request`]).

use std::path::Path;

use serde_json::{Map, Value};

use super::paths::{bind_source, host_path, inside};
use super::request::{fields, flag};
use crate::platform::OS;

/// Why a request is refused, for the student's row; `None`: allowed. `path` is the
/// decoded API path, without its version.
pub fn refuse(
    method: &str,
    path: &str,
    query: &str,
    body: &Value,
    workspace: &Path,
) -> Option<String> {
    if method != "POST" {
        return None;
    }
    if path == "/containers/create" {
        // Older engines also take host settings at the body's top level (the deprecated
        // embedded HostConfig); a container's own settings share no name with them.
        return std::iter::once(body)
            .chain(fields(body, "HostConfig"))
            .find_map(|hc| container(hc, workspace));
    }
    if container_start(path) {
        // Before API 1.24 the engine takes host settings at start too (the body is a
        // HostConfig): `/v1.23/containers/ID/start {"Binds":["/:/host"]}`.
        return std::iter::once(body)
            .chain(fields(body, "HostConfig"))
            .find_map(|hc| container(hc, workspace));
    }
    if path.starts_with("/exec/") || path.ends_with("/exec") {
        if flag(body, "Privileged") {
            return Some("a privileged exec (docker exec --privileged)".into());
        }
        return None;
    }
    if path == "/volumes/create" {
        return fields(body, "DriverOpts")
            .filter_map(Value::as_object)
            .any(host_backed)
            .then(|| "a volume backed by a host folder or device (--opt device=…)".into());
    }
    if path == "/build" {
        // As the engine reads the query: decoded, any of its values.
        let host_net = form_urlencoded::parse(query.as_bytes())
            .any(|(k, v)| k == "networkmode" && v == "host");
        return host_net.then(|| "a build on the host's network (--network host)".into());
    }
    for (prefix, what) in [
        ("/plugins", "installing engine plugins"),
        ("/swarm", "changing the engine's swarm"),
        ("/services", "swarm services"),
        ("/secrets", "swarm secrets"),
        ("/configs", "swarm configs"),
        ("/nodes", "swarm nodes"),
    ] {
        if path.starts_with(prefix) {
            return Some(what.into());
        }
    }
    None
}

/// `/containers/ID/start`: the only request but a create that may carry host settings.
/// The engine routes any ID here, slashes and all (`--link` names are `/a/b`).
pub fn container_start(path: &str) -> bool {
    path.strip_prefix("/containers/")
        .and_then(|rest| rest.strip_suffix("/start"))
        .is_some_and(|id| !id.is_empty())
}

/// The container a start or a restart mounts anew.
pub fn started_container(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/containers/")?;
    rest.strip_suffix("/start")
        .or_else(|| rest.strip_suffix("/restart"))
        .filter(|id| !id.is_empty())
}

/// Capabilities a container may add: Docker's default set (a `--cap-drop ALL` recipe adds
/// some back) and the few network and scheduling labs use. None of them reaches past the
/// container's namespaces.
const CAPS: [&str; 19] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SYS_CHROOT",
    "MKNOD",
    "AUDIT_WRITE",
    "SETFCAP",
    "NET_ADMIN",
    "NET_BROADCAST",
    "SYS_NICE",
    "IPC_LOCK",
    "SYS_RESOURCE",
];

fn container(hc: &Value, workspace: &Path) -> Option<String> {
    if flag(hc, "Privileged") {
        return Some("a privileged container (--privileged)".into());
    }
    for (key, flag) in [
        ("NetworkMode", "--network host"),
        ("PidMode", "--pid host"),
        ("IpcMode", "--ipc host"),
        ("UTSMode", "--uts host"),
        ("UsernsMode", "--userns host"),
        ("CgroupnsMode", "--cgroupns host"),
    ] {
        if fields(hc, key).any(|v| v.as_str() == Some("host")) {
            return Some(format!("the host's namespaces ({flag})"));
        }
    }
    if let Some(cap) = fields(hc, "CapAdd")
        .flat_map(entries)
        .find(|c| !allowed_cap(c))
    {
        let cap = cap.as_str().map_or_else(|| cap.to_string(), str::to_string);
        return Some(format!(
            "a capability beyond Docker's defaults and NET_ADMIN, NET_BROADCAST, SYS_NICE, \
             IPC_LOCK, SYS_RESOURCE (--cap-add {cap})"
        ));
    }
    // Anything but null or an empty list: the engine takes it or fails.
    let given =
        |k: &str| fields(hc, k).any(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
    if given("Devices") || given("DeviceRequests") {
        return Some("the host's devices (--device, --gpus)".into());
    }
    if given("DeviceCgroupRules") {
        // With the default MKNOD, a rule is enough to open the host's disks.
        return Some("access to the host's devices (--device-cgroup-rule)".into());
    }
    // Any list replaces the paths Docker masks in /proc; the CLI sends empty ones for
    // `--security-opt systempaths=unconfined`, which makes /proc/sys writable.
    if ["MaskedPaths", "ReadonlyPaths"]
        .iter()
        .any(|k| fields(hc, k).any(|v| !v.is_null()))
    {
        return Some("unmasking /proc (--security-opt systempaths=unconfined)".into());
    }
    let opts = fields(hc, "SecurityOpt").flat_map(entries);
    if opts
        .filter_map(Value::as_str)
        .any(|o| o.contains("unconfined"))
    {
        return Some("switching off confinement (--security-opt …unconfined)".into());
    }
    host_folders(hc, workspace)
}

/// Bind mounts (and volumes backed by the host) from outside the workspace in a
/// HostConfig. Also judged again at start for a container the script made: a folder it
/// swapped for a link since the create would take the engine elsewhere.
pub fn host_folders(hc: &Value, workspace: &Path) -> Option<String> {
    let binds = fields(hc, "Binds")
        .flat_map(entries)
        .filter_map(Value::as_str)
        .map(|b| bind_source(OS, b));
    let mounts: Vec<&Value> = fields(hc, "Mounts").flat_map(entries).collect();
    // `--mount type=volume,volume-opt=…` makes the volume as /volumes/create would.
    let inline_volume = mounts.iter().any(|m| {
        fields(m, "VolumeOptions")
            .flat_map(|o| fields(o, "DriverConfig"))
            .flat_map(|d| fields(d, "Options"))
            .filter_map(Value::as_object)
            .any(host_backed)
    });
    if inline_volume {
        return Some("a volume backed by a host folder or device (volume-opt=device=…)".into());
    }
    let host_mounts = mounts
        .iter()
        .filter(|m| {
            fields(m, "Type").any(|t| {
                t.as_str().is_some_and(|t| {
                    t.eq_ignore_ascii_case("bind") || t.eq_ignore_ascii_case("npipe")
                })
            })
        })
        .flat_map(|m| fields(m, "Source"))
        .filter_map(Value::as_str);
    for source in binds.chain(host_mounts) {
        // A volume's name is not a path; a path must be in the submission's workspace.
        if !host_path(OS, source) {
            continue;
        }
        if !inside(Path::new(source), workspace) {
            let what = if source.ends_with("docker.sock") || source.starts_with(r"\\.\pipe\") {
                "the engine's socket"
            } else {
                "a host folder outside the submission's workspace"
            };
            return Some(format!("{what} mounted into a container (-v {source}:…)"));
        }
    }
    None
}

/// A list's entries; a lone value is one entry (the engine takes `"CapAdd": "X"` too).
pub fn entries(v: &Value) -> Vec<&Value> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    }
}

/// `NET_ADMIN`, `cap_net_admin`: in [`CAPS`], as the engine spells them.
fn allowed_cap(cap: &Value) -> bool {
    cap.as_str().is_some_and(|c| {
        let c = c.to_ascii_uppercase();
        CAPS.contains(&c.strip_prefix("CAP_").unwrap_or(&c))
    })
}

/// A volume driver's options that mount something of the host (`o=bind`, `device=/`, a
/// disk or a network share): any `device` or `o`, but for a tmpfs, which is memory only.
fn host_backed(opts: &Map<String, Value>) -> bool {
    let mounts = opts
        .keys()
        .any(|k| k.eq_ignore_ascii_case("device") || k.eq_ignore_ascii_case("o"));
    mounts && !tmpfs(opts)
}

/// `type=tmpfs,device=tmpfs`, with tmpfs's own settings in `o` (not `bind`).
fn tmpfs(opts: &Map<String, Value>) -> bool {
    let is_tmpfs = |k: &str| opts.get(k).and_then(Value::as_str) == Some("tmpfs");
    is_tmpfs("type")
        && is_tmpfs("device")
        && opts.iter().all(|(k, v)| match k.as_str() {
            "type" | "device" | "size" => true,
            "o" => v.as_str().is_some_and(|o| o.split(',').all(tmpfs_option)),
            _ => false,
        })
}

fn tmpfs_option(o: &str) -> bool {
    let key = o.split('=').next().unwrap_or_default();
    matches!(
        key,
        "" | "size"
            | "mode"
            | "uid"
            | "gid"
            | "nr_inodes"
            | "nr_blocks"
            | "huge"
            | "mpol"
            | "inode64"
            | "noexec"
            | "nosuid"
            | "nodev"
            | "exec"
            | "suid"
            | "dev"
            | "ro"
            | "rw"
            | "noatime"
            | "relatime"
            | "nodiratime"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(hc: Value) -> Option<String> {
        let ws = std::env::temp_dir();
        refuse(
            "POST",
            "/containers/create",
            "",
            &json!({ "HostConfig": hc }),
            &ws,
        )
    }

    fn volume(opts: Value) -> Option<String> {
        let body = json!({ "Name": "v", "DriverOpts": opts });
        refuse("POST", "/volumes/create", "", &body, Path::new("/tmp"))
    }

    #[test]
    fn host_settings_at_start_are_judged_as_at_create() {
        let ws = tempfile::tempdir().unwrap();
        let start =
            |body: Value| refuse("POST", "/containers/week2-app/start", "", &body, ws.path());
        assert!(start(json!({"Binds": ["/:/host"]})).is_some());
        assert!(start(json!({"Privileged": true})).is_some());
        assert!(start(json!({"HostConfig": {"PidMode": "host"}})).is_some());
        // What `docker start` sends: nothing, or nothing that matters.
        assert_eq!(start(Value::Null), None);
        assert_eq!(start(json!({})), None);
        assert!(container_start("/containers/abc/start"));
        assert!(container_start("/containers/a/b/start"), "a link's name");
        assert!(!container_start("/containers//start"));
        assert!(!container_start("/exec/abc/start"));
        assert_eq!(started_container("/containers/a/b/restart"), Some("a/b"));
        assert_eq!(started_container("/containers/abc/start"), Some("abc"));
        assert_eq!(started_container("/containers/abc/stop"), None);
    }

    #[test]
    fn escapes_are_refused() {
        assert!(
            create(json!({"Privileged": true}))
                .unwrap()
                .contains("privileged")
        );
        assert!(create(json!({"NetworkMode": "host"})).is_some());
        assert!(create(json!({"PidMode": "host"})).is_some());
        assert!(create(json!({"CapAdd": ["SYS_ADMIN"]})).is_some());
        assert!(
            create(json!({"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]}))
                .unwrap()
                .contains("socket")
        );
        assert!(create(json!({"Binds": ["/:/host"]})).is_some());
        assert!(create(json!({"Mounts": [{"Type": "bind", "Source": "/etc"}]})).is_some());
        assert!(create(json!({"SecurityOpt": ["seccomp=unconfined"]})).is_some());
        let vol = json!({"DriverOpts": {"type": "none", "o": "bind", "device": "/"}});
        assert!(refuse("POST", "/volumes/create", "", &vol, Path::new("/tmp")).is_some());
        assert!(refuse("POST", "/swarm/init", "", &Value::Null, Path::new("/tmp")).is_some());
    }

    #[test]
    fn ordinary_capabilities_may_be_added_back() {
        // week4's hardening recipe: --cap-drop ALL --cap-add NET_BIND_SERVICE.
        let recipe = json!({"CapDrop": ["ALL"], "CapAdd": ["NET_BIND_SERVICE"]});
        assert_eq!(create(recipe), None);
        assert_eq!(create(json!({"CapAdd": ["NET_ADMIN", "net_raw"]})), None);
        assert_eq!(
            create(json!({"CapAdd": ["CAP_SYS_NICE", "cap_chown"]})),
            None
        );
        assert_eq!(create(json!({"CapAdd": "NET_ADMIN"})), None);
        assert_eq!(create(json!({"CapAdd": null})), None);
        for cap in [
            "ALL",
            "SYS_ADMIN",
            "cap_sys_ptrace",
            "SYS_MODULE",
            "DAC_READ_SEARCH",
        ] {
            let why = create(json!({"CapAdd": ["CHOWN", cap]})).expect(cap);
            assert!(why.contains(cap), "{why}");
            assert!(
                create(json!({"CapAdd": cap})).is_some(),
                "{cap} as a string"
            );
        }
        assert!(create(json!({"CapAdd": [7]})).is_some());
    }

    #[test]
    fn keys_are_read_as_the_engine_reads_them() {
        let refused = |body: Value| {
            refuse(
                "POST",
                "/containers/create",
                "",
                &body,
                &std::env::temp_dir(),
            )
            .is_some()
        };
        assert!(refused(json!({"hostconfig": {"privileged": true}})));
        assert!(refused(json!({"HOSTCONFIG": {"BINDS": ["/:/host"]}})));
        assert!(refused(json!({"HostConfig": {"capadd": ["SYS_ADMIN"]}})));
        assert!(refused(
            json!({"HostConfig": {}, "hostConfig": {"Privileged": true}})
        ));
        // Older engines read host settings at the top level too.
        assert!(refused(json!({"Image": "alpine", "Privileged": true})));
        let exec = json!({"privileged": true});
        assert!(refuse("POST", "/containers/x/exec", "", &exec, Path::new("/tmp")).is_some());
        let build = |q: &str| refuse("POST", "/build", q, &Value::Null, Path::new("/tmp"));
        assert!(build("t=x&networkmode=ho%73t").is_some());
        assert_eq!(build("t=x&networkmode=week1-net"), None);
    }

    #[test]
    fn device_rules_and_unmasked_proc_are_refused() {
        assert!(create(json!({"DeviceCgroupRules": ["b *:* rwm"]})).is_some());
        // What the CLI sends for --security-opt systempaths=unconfined.
        assert!(create(json!({"MaskedPaths": [], "ReadonlyPaths": []})).is_some());
        assert!(create(json!({"MaskedPaths": ["/proc/kcore"]})).is_some());
        assert_eq!(
            create(json!({"DeviceCgroupRules": null, "MaskedPaths": null, "Devices": []})),
            None
        );
        // An inline seccomp profile is the engine's to judge.
        assert_eq!(
            create(json!({"SecurityOpt": ["seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\"}"]})),
            None
        );
    }

    #[test]
    fn volumes_that_bind_the_host_are_refused_inline_too() {
        let bind = json!({"type": "none", "o": "bind", "device": "/"});
        let mount = |opts: Value| {
            create(json!({"Mounts": [{
                "Type": "volume", "Source": "h", "Target": "/host",
                "VolumeOptions": {"DriverConfig": {"Options": opts}},
            }]}))
        };
        assert!(mount(bind.clone()).is_some());
        assert!(mount(json!({"device": "/dev/sda1", "type": "ext4"})).is_some());
        assert!(volume(bind).is_some());
        // A tmpfs volume holds memory only.
        let tmpfs = json!({"type": "tmpfs", "device": "tmpfs", "o": "size=64m,uid=1000"});
        assert_eq!(volume(tmpfs.clone()), None);
        assert_eq!(mount(tmpfs), None);
        assert_eq!(volume(json!({})), None);
        assert_eq!(mount(json!({"size": "1G"})), None);
        let tmpfs_bind = json!({"type": "tmpfs", "device": "tmpfs", "o": "bind"});
        assert!(volume(tmpfs_bind).is_some());
        assert!(volume(json!({"type": "tmpfs", "device": "/", "o": "size=1m"})).is_some());
    }

    #[test]
    fn a_bind_source_the_engine_will_make_in_the_workspace_passes() {
        let ws = tempfile::tempdir().unwrap();
        let bind = |source: String| {
            let hc = json!({ "HostConfig": {"Binds": [format!("{source}:/out")]} });
            refuse("POST", "/containers/create", "", &hc, ws.path())
        };
        assert_eq!(bind(format!("{}/out", ws.path().display())), None);
        assert_eq!(bind(format!("{}/logs/today", ws.path().display())), None);
        assert!(bind(format!("{}/out/../../x", ws.path().display())).is_some());
    }

    #[test]
    fn a_labs_ordinary_requests_pass() {
        assert_eq!(create(json!({})), None);
        assert_eq!(
            create(json!({"NetworkMode": "week1-net", "Binds": ["week1-data:/data"]})),
            None
        );
        assert_eq!(
            create(json!({"CapDrop": ["ALL"], "ReadonlyRootfs": true})),
            None
        );
        let ws = tempfile::tempdir().unwrap();
        let inside = format!("{}:/site", ws.path().display());
        let hc = json!({ "HostConfig": {"Binds": [inside]} });
        assert_eq!(
            refuse("POST", "/containers/create", "", &hc, ws.path()),
            None
        );
        assert_eq!(
            refuse("DELETE", "/networks/week1-net", "", &Value::Null, ws.path()),
            None
        );
        assert_eq!(
            refuse(
                "POST",
                "/build",
                "t=week1-greeter%3A1.0",
                &Value::Null,
                ws.path()
            ),
            None
        );
    }
}
