//! The stack block as `lab show` sums it up: its services, networks and volumes.

use crate::model::{DependencyCondition, Service, Stack};
use crate::ui::Style;

/// `Stack: 2 services` and one line per service.
pub fn stack_summary(stack: &Stack, style: Style) -> String {
    let mut out = format!(
        "  {} {}\n",
        style.bold("Stack:"),
        plural(stack.services.len(), "service")
    );
    let width = stack
        .services
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0);
    for s in &stack.services {
        out.push_str(&format!(
            "    {}  {}\n",
            style.bold(&format!("{:width$}", s.name)),
            service_facts(s).join(" · ")
        ));
    }
    if !stack.networks.is_empty() {
        let names: Vec<String> = stack
            .networks
            .iter()
            .map(|n| {
                if n.internal {
                    format!("{} (internal)", n.name)
                } else {
                    n.name.clone()
                }
            })
            .collect();
        out.push_str(&format!(
            "    {} {}\n",
            style.dim("networks:"),
            names.join(", ")
        ));
    }
    if !stack.volumes.is_empty() {
        let names: Vec<&str> = stack.volumes.iter().map(|v| v.name.as_str()).collect();
        out.push_str(&format!(
            "    {} {}\n",
            style.dim("volumes:"),
            names.join(", ")
        ));
    }
    out
}

fn service_facts(s: &Service) -> Vec<String> {
    let mut facts = Vec::new();
    match (&s.image, &s.build) {
        (_, Some(b)) => facts.push(format!("built from {}", b.context.display())),
        (Some(i), None) => facts.push(i.clone()),
        (None, None) => {}
    }
    if !s.ports.is_empty() {
        let ports: Vec<String> = s
            .ports
            .iter()
            .map(|p| p.container_port.to_string())
            .collect();
        facts.push(format!("port {}", ports.join(", ")));
    }
    if s.healthcheck.as_ref().is_some_and(|h| !h.disable) {
        facts.push("health check".into());
    }
    for d in &s.depends_on {
        let cond = match d.condition {
            DependencyCondition::ServiceStarted => "started",
            DependencyCondition::ServiceHealthy => "healthy",
            DependencyCondition::ServiceCompletedSuccessfully => "completed",
        };
        facts.push(format!("after {} ({cond})", d.service));
    }
    facts
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
