//! An unknown key at a check's top level: most often a word for a kind that is not one
//! (`nslookup:` for `dns`), or a kind's field written one level too high.

use crate::course::decode::Ctx;
use crate::course::diag::nearest;
use crate::course::yaml::Node;
use crate::model::KindTag;

/// Words authors reach for, and the kind that does it.
const KIND_WORDS: &[(&str, &str)] = &[
    ("nslookup", "dns"),
    ("dig", "dns"),
    ("lookup", "dns"),
    ("resolve", "dns"),
    ("port", "tcp"),
    ("ports", "tcp"),
    ("connect", "tcp"),
    ("socket", "tcp"),
    ("nc", "tcp"),
    ("netcat", "tcp"),
    ("curl", "http"),
    ("wget", "http"),
    ("url", "http"),
    ("request", "http"),
    ("https", "http"),
    ("run", "command"),
    ("shell", "command"),
    ("sh", "command"),
    ("bash", "command"),
    ("script", "command"),
    ("cmd", "exec"),
    ("docker_exec", "exec"),
    ("inspect", "container"),
    ("log", "logs"),
    ("output", "logs"),
    ("net", "network"),
    ("vol", "volume"),
    ("pty", "expect"),
    ("interactive", "expect"),
    ("question", "answer"),
];

/// Fields that belong inside a kind, not at the check's top level.
const KIND_FIELDS: &[&str] = &[
    "service",
    "container",
    "from",
    "host",
    "name",
    "stdout",
    "stderr",
    "exit",
    "contains",
    "matches",
    "steps",
    "body",
    "method",
    "equals",
    "exists",
    "signal",
    "state",
    "health",
    "status",
    "path",
];

fn kinds() -> Vec<&'static str> {
    KindTag::all().map(KindTag::name).collect()
}

/// Report one unknown key of a check; `common` are the fields every check may have.
pub(super) fn report(ctx: &mut Ctx, key: &str, k: &Node, v: &Node, common: &[&str]) {
    let kinds = kinds();
    let lists = format!(
        "a check has the fields {} and exactly one kind: {}",
        common.join(", "),
        kinds.join(", ")
    );
    let lower = key.to_ascii_lowercase();
    // A typo of a field or a kind: the nearest word says it all.
    let all: Vec<&str> = common
        .iter()
        .copied()
        .chain(kinds.iter().copied())
        .collect();
    if let Some(near) = nearest(key, &all) {
        let d = ctx.error(k.pos, format!("unknown key \"{key}\" in the check"));
        d.suggestion = Some(format!("did you mean \"{near}\"?"));
        return;
    }
    if let Some((_, kind)) = KIND_WORDS.iter().find(|(w, _)| *w == lower) {
        let d = ctx.error(k.pos, format!("\"{key}\" is not a check kind"));
        d.suggestion = Some(format!("did you mean \"{kind}\"?"));
        d.help = Some(format!("check kinds: {}", kinds.join(", ")));
        return;
    }
    if KIND_FIELDS.contains(&lower.as_str()) {
        ctx.error(
            k.pos,
            format!("\"{key}\" is a field of a check kind, not of the check itself"),
        )
        .help = Some(format!(
            "put it inside the kind, e.g. container: {{service: web, state: running}}; check kinds: {}",
            kinds.join(", ")
        ));
        return;
    }
    if v.as_map().is_some() {
        ctx.error(k.pos, format!("\"{key}\" is not a check kind"))
            .help = Some(format!("check kinds: {}", kinds.join(", ")));
        return;
    }
    ctx.error(k.pos, format!("unknown key \"{key}\" in the check"))
        .help = Some(lists);
}
