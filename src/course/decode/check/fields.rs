//! Field helpers that several kinds share: optional matchers, the `exit` default, service
//! references, `contains`/`matches`, label and port lists.

use super::Refs;
use crate::course::decode::matcher::{self, regex_ok};
use crate::course::decode::{Ctx, Fields, describe, string};
use crate::model::{Literal, Matcher, Port, Protocol};

/// `Some(None)`: absent; `Some(Some(m))`: present and valid; `None`: present and invalid.
pub(super) fn opt_matcher(ctx: &mut Ctx, f: &Fields, key: &str) -> Option<Option<Matcher>> {
    match f.get(key) {
        None => Some(None),
        Some(n) => matcher::decode(ctx, n, &f.field(key)).map(Some),
    }
}

pub(super) fn exit_matcher(ctx: &mut Ctx, f: &Fields) -> Option<Matcher> {
    match f.get("exit") {
        None => Some(Matcher::Equals(Literal::Int(0))),
        Some(n) => matcher::decode(ctx, n, &f.field("exit")),
    }
}

/// A service named by `service:` or `from:`; remembered for the lab-level reference check.
pub(super) fn service_ref(ctx: &mut Ctx, f: &Fields, key: &str, refs: &mut Refs) -> Option<String> {
    let n = f.get(key)?;
    let name = string(ctx, n, &f.field(key))?;
    refs.push((name.clone(), n.pos, key != "from", None));
    Some(name)
}

/// `contains:` / `matches:` as fields of `logs` and `file`: `Some(Some(m))` when one is given.
pub(super) fn text_matcher(ctx: &mut Ctx, f: &Fields, required: bool) -> Option<Option<Matcher>> {
    let contains = opt_matcher(ctx, f, "contains")?;
    let matches = match f.get("matches") {
        None => None,
        Some(n) => {
            let re = string(ctx, n, &f.field("matches"))?;
            regex_ok(ctx, &re, n.pos)?;
            Some(Matcher::Matches(re))
        }
    };
    // `equals`: the whole text, trimmed (a greeting and nothing else).
    let equals = match f.get("equals") {
        None => None,
        Some(n) => Some(Matcher::Equals(crate::model::Literal::Str(string(
            ctx,
            n,
            &f.field("equals"),
        )?))),
    };
    let parts: Vec<Matcher> = [contains, matches, equals].into_iter().flatten().collect();
    let m = match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(Matcher::All(parts)),
    };
    if required && m.is_none() {
        ctx.error(
            f.pos,
            format!("{} needs \"contains\", \"matches\" or \"equals\"", f.what),
        );
        return None;
    }
    Some(m)
}

pub(super) fn label_matchers(
    ctx: &mut Ctx,
    f: &Fields,
    key: &str,
) -> Option<Vec<(String, Matcher)>> {
    let Some(n) = f.get(key) else {
        return Some(Vec::new());
    };
    let Some(entries) = n.as_map() else {
        ctx.error(
            n.pos,
            format!(
                "expected a map of NAME: matcher for {}, found {}",
                f.field(key),
                n.kind_name()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (k, v) in entries {
        let Some(name) = string(ctx, k, &f.field(key)) else {
            ok = false;
            continue;
        };
        match matcher::decode(ctx, v, &format!("\"{name}\" in {}", f.field(key))) {
            Some(m) => out.push((name, m)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// `8080` (TCP, as for Docker: `53/udp` is another port than `53`), `"8080/tcp"`, `"53/UDP"`.
pub(super) fn port(text: &str) -> Option<Port> {
    let text = text.trim();
    let (number, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let protocol = match protocol.to_ascii_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        _ => return None,
    };
    let port = number.parse::<u16>().ok().filter(|p| *p > 0)?;
    Some(Port { port, protocol })
}

/// A list of [`port`]s.
pub(super) fn port_list(ctx: &mut Ctx, f: &Fields, key: &str) -> Option<Vec<Port>> {
    let Some(n) = f.get(key) else {
        return Some(Vec::new());
    };
    let Some(items) = n.as_seq() else {
        ctx.error(
            n.pos,
            format!(
                "expected a list of ports for {}, found {}",
                f.field(key),
                n.kind_name()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        let text = item.scalar_text().unwrap_or_default();
        match port(&text) {
            Some(p) => out.push(p),
            _ => {
                ctx.error(
                    item.pos,
                    format!(
                        "bad port {} in {} (write e.g. 8080, \"8080/tcp\" or \"53/udp\")",
                        describe(item),
                        f.field(key)
                    ),
                );
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod port_tests {
    use super::port;
    use crate::model::{Port, Protocol};

    #[test]
    fn a_port_is_tcp_unless_written_otherwise() {
        assert_eq!(port("8080"), Some(Port::tcp(8080)));
        assert_eq!(port("8080/TCP"), Some(Port::tcp(8080)));
        assert_eq!(
            port(" 53/udp"),
            Some(Port {
                port: 53,
                protocol: Protocol::Udp
            })
        );
        for bad in ["0", "8080/sctp", "80-90", "x", "8080/", "70000"] {
            assert_eq!(port(bad), None, "{bad}");
        }
    }
}
