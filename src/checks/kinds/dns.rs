//! `dns`: a name looked up from inside a service resolves (or not) as expected.

use std::time::Duration;

use crate::checks::context::RunContext;
use crate::checks::matcher::text;
use crate::checks::outcome::Outcome;
use crate::checks::target::in_service;
use crate::checks::words::{and_list, wanted};
use crate::model::DnsCheck;

pub async fn run(ctx: &RunContext, c: &DnsCheck, timeout: Duration) -> Outcome {
    let script = format!("nslookup {} 2>&1", shell_words::quote(&c.name));
    let out = match in_service(
        ctx,
        &c.from,
        vec!["sh".into(), "-c".into(), script],
        timeout,
    )
    .await
    {
        Ok(o) => o,
        Err(e) => return Outcome::error(e),
    };
    let addresses = answers(&out.stdout);
    let evidence = format!("$ nslookup {}\n{}", c.name, out.stdout);
    // Addresses found decide, whatever the other query said (nslookup asks for A and
    // AAAA, and exits 1 when one of them fails). No address is "does not resolve", also
    // when no server answered: offline, the engine's DNS forwards a name it does not know
    // to servers it cannot reach, and a name on no network of the service is such a name.
    let resolved = !addresses.is_empty();
    match (c.resolves, resolved) {
        (false, false) => Outcome::pass(format!(
            "{} does not resolve from {}, as expected",
            c.name, c.from
        ))
        .evidence(evidence),
        (false, true) => Outcome::fail(format!(
            "expected {} not to resolve from {}; it resolves to {}",
            c.name,
            c.from,
            addresses.join(", ")
        ))
        .evidence(evidence),
        (true, false) => Outcome::fail(format!(
            "expected {} to resolve from {}; it does not",
            c.name, c.from
        ))
        .evidence(evidence),
        (true, true) => match &c.address {
            Some(m) if !addresses.iter().any(|a| text(m, a)) => Outcome::fail(format!(
                "expected an address of {} to {}; it resolves to {}",
                c.name,
                wanted(m),
                and_list(&addresses)
            ))
            .evidence(evidence),
            _ => Outcome::pass(format!(
                "{} resolves to {} from {}",
                c.name,
                addresses.join(", "),
                c.from
            ))
            .evidence(evidence),
        },
    }
}

/// The addresses of the answer section (after the first `Name:` line), without ports.
pub fn answers(output: &str) -> Vec<String> {
    output
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Name:"))
        .filter_map(|l| l.trim_start().strip_prefix("Address"))
        .filter_map(|rest| rest.split_once(':').map(|(_, a)| a.trim().to_string()))
        .map(|a| a.split_whitespace().next().unwrap_or_default().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_busybox_nslookup() {
        let out = "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tweb\nAddress: 172.18.0.3\n\n";
        assert_eq!(super::answers(out), vec!["172.18.0.3"]);
        assert!(super::answers("** server can't find web: NXDOMAIN\n").is_empty());
    }
}
