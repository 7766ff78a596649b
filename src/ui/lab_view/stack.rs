//! The stack block as `lab show` sums it up: its services, networks and volumes.

use super::inline::{Inline, fill};
use crate::model::{DependencyCondition, Service, Stack};
use crate::ui::{Style, style};

/// `Stack: 2 services` and one line per service (wrapped at `columns`, under its facts).
pub fn stack_summary(stack: &Stack, style: Style, columns: usize) -> String {
    let mut out = format!(
        "  {} {}\n",
        style.bold("Stack:"),
        plural(stack.services.len(), "service")
    );
    let width = stack
        .services
        .iter()
        .map(|s| style::width(&s.name))
        .max()
        .unwrap_or(0);
    let mut line = |label: String, facts: &[String]| {
        let mut words = Inline::default();
        for (i, fact) in facts.iter().enumerate() {
            words.text(fact, str::to_string);
            // The separator ends a line rather than starting the next.
            if i + 1 < facts.len() {
                words.atom(" ·", " ·".to_string());
                words.space();
            }
        }
        let rest = " ".repeat(style::width(&label));
        for l in fill(&words.take(), columns, &label, &rest) {
            out.push_str(&l);
            out.push('\n');
        }
    };
    for s in &stack.services {
        let pad = " ".repeat(width - style::width(&s.name));
        let label = format!("    {}{pad}  ", style.bold(&s.name));
        line(label, &service_facts(s));
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
        line(
            format!("    {} ", style.dim("networks:")),
            &[names.join(", ")],
        );
    }
    if !stack.volumes.is_empty() {
        let names: Vec<&str> = stack.volumes.iter().map(|v| v.name.as_str()).collect();
        line(
            format!("    {} ", style.dim("volumes:")),
            &[names.join(", ")],
        );
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
    if let Some(n) = s.replicas {
        facts.push(plural(n as usize, "replica"));
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
