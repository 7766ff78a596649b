//! `ports` and `expose`: Compose's short form (`[ip:][host:]container[/proto]`) and long form.

use crate::course::decode::{Ctx, Fields, Schema, int};
use crate::course::yaml::{Node, Value};
use crate::model::{PortSpec, Protocol};

const PORT_LONG: Schema = Schema {
    known: &["target", "published", "host_ip", "protocol"],
    unsupported: &["mode", "name", "app_protocol"],
};

pub(super) fn port(ctx: &mut Ctx, node: &Node, publish: bool) -> Option<PortSpec> {
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
}
