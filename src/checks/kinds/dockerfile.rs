//! `dockerfile`: a Dockerfile in the workspace, checked by what it means (LAB_FORMAT §4.6):
//! the base image of its final stage, its default command, ports, user, health check and
//! labels. Messages name what the file does; they state no pattern the task does not.

mod command;
pub mod meaning;

use std::io::Read;

use crate::checks::context::RunContext;
use crate::checks::equiv::same_image;
use crate::checks::matcher::text;
use crate::checks::outcome::Outcome;
use crate::checks::words::seen as quote;
use crate::model::{DockerfileCheck, Port};
use crate::text::cap;

use meaning::Meaning;

/// Dockerfiles are read up to this much.
const FILE_CAP: u64 = 256 * 1024;
/// The final stage as evidence, at most this much.
const EVIDENCE_CAP: usize = 2048;

pub async fn run(ctx: &RunContext, c: &DockerfileCheck) -> Outcome {
    let full = ctx.workspace.join(&c.path);
    let file = match std::fs::File::open(&full) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Outcome::missing(format!("there is no {} in your workspace", c.path));
        }
        Err(e) => return Outcome::error(format!("could not read {}: {e}", full.display())),
    };
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Outcome::missing(format!(
            "{} in your workspace is a folder, not a Dockerfile",
            c.path
        ));
    }
    let mut bytes = Vec::new();
    if let Err(e) = file.take(FILE_CAP).read_to_end(&mut bytes) {
        return Outcome::error(format!("could not read {}: {e}", full.display()));
    }
    let source = String::from_utf8_lossy(&bytes);
    match meaning::read(&source) {
        Ok(m) => judge(c, &m),
        Err(e) => {
            let place = if e.line > 0 {
                format!(" (line {}, column {})", e.line, e.column)
            } else {
                String::new()
            };
            Outcome::fail(format!(
                "{} is not a Dockerfile Docker can read: {}{place}",
                c.path, e.message
            ))
            .evidence(cap(&source, EVIDENCE_CAP))
        }
    }
}

/// Every difference between the file and the task, in plain words.
pub fn problems(c: &DockerfileCheck, m: &Meaning) -> Vec<String> {
    let path = &c.path;
    let mut p = Vec::new();
    if let Some(want) = &c.from
        && !same_image(&m.base, want)
    {
        p.push(if m.base.is_empty() {
            format!(
                "the last FROM of {path} names no image ({} is empty; does its ARG have a value?)",
                m.base_written
            )
        } else {
            format!("{path} builds on {}; the task asks for {want}", m.base)
        });
    }
    match (c.default_command, &m.default_command) {
        (Some(true), None) => p.push(format!(
            "{path} gives the image no default command (no CMD or ENTRYPOINT)"
        )),
        (Some(false), Some(cmd)) => p.push(format!(
            "{path} gives the image a default command ({}); the task asks for none",
            quote(cmd)
        )),
        _ => {}
    }
    // A list Docker could not read as JSON runs as a shell command (`['echo',` is no
    // program): whatever words it holds, it is not the command the task asks for.
    let unreadable = match (&m.not_json, &m.default_command) {
        (Some(bad), Some(cmd)) if c.command.is_some() || c.default_command == Some(true) => {
            p.push(format!(
                "{path} has {}, which is no JSON list (JSON strings take straight double \
                 quotes, as in [\"echo\", \"hi\"]), so Docker reads it as shell form and the \
                 default command is {}",
                quote(bad),
                quote(cmd)
            ));
            true
        }
        _ => false,
    };
    if let Some(matcher) = &c.command
        && !unreadable
    {
        match &m.default_command {
            None if c.default_command != Some(true) => p.push(format!(
                "{path} has no CMD or ENTRYPOINT, so the image has no default command"
            )),
            None => {}
            Some(cmd) if !text(matcher, cmd) => p.push(format!(
                "the default command of {path} is {}, not what the task asks for",
                quote(cmd)
            )),
            Some(_) => {}
        }
    }
    for port in &c.expose {
        if !m.exposed.iter().any(|word| exposes(word, port)) {
            p.push(format!(
                "{path} does not EXPOSE {port} ({})",
                if m.exposed.is_empty() {
                    "it exposes no port".to_string()
                } else {
                    format!("it exposes {}", m.exposed.join(", "))
                }
            ));
        }
    }
    if let Some(matcher) = &c.user {
        // Without USER the image runs as root, and uid 0 is root: the matcher sees "root"
        // there, so `{not: {equals: root}}` asks for a USER that is not root.
        let user = effective_user(&m.user);
        if !text(matcher, &user) {
            p.push(if m.user.is_empty() {
                format!("{path} sets no USER, so the image runs as root; the task asks otherwise")
            } else {
                format!(
                    "{path} runs as USER {}, not the user the task asks for",
                    m.user
                )
            });
        }
    }
    match (c.healthcheck, m.healthcheck) {
        (Some(true), None) => p.push(format!("{path} has no HEALTHCHECK")),
        (Some(true), Some(false)) => p.push(format!(
            "{path} turns the health check off (HEALTHCHECK NONE); the task asks for one"
        )),
        (Some(false), Some(true)) => {
            p.push(format!("{path} has a HEALTHCHECK; the task asks for none"))
        }
        _ => {}
    }
    for (key, matcher) in &c.labels {
        match m.labels.iter().find(|(k, _)| k == key) {
            None => p.push(format!("{path} sets no LABEL {key}")),
            Some((_, v)) if !text(matcher, v) => p.push(format!(
                "the LABEL {key} in {path} is {}, not what the task asks for",
                quote(v)
            )),
            Some(_) => {}
        }
    }
    p
}

fn judge(c: &DockerfileCheck, m: &Meaning) -> Outcome {
    let mut evidence = String::new();
    if m.base != m.base_written {
        evidence.push_str(&format!(
            "# the final stage builds on {} (FROM {})\n",
            if m.base.is_empty() {
                "nothing"
            } else {
                &m.base
            },
            m.base_written
        ));
    }
    evidence.push_str(&m.final_stage);
    let evidence = cap(&evidence, EVIDENCE_CAP);
    let p = problems(c, m);
    if p.is_empty() {
        Outcome::pass(format!("{} is as the task asks", c.path)).evidence(evidence)
    } else {
        Outcome::fail(p.join("; ")).evidence(evidence)
    }
}

/// The user as the matcher sees it: `root` when the image runs as uid 0, whatever the group:
/// no USER, or a user part that is `root`, `0` or empty (`0:0`, `root:root`, `:1000`). A
/// user that is not root keeps its group as written (`app:root`, `1000:0`).
fn effective_user(user: &str) -> String {
    let user = user.trim();
    let name = user.split_once(':').map_or(user, |(name, _)| name);
    if name.is_empty() || name == "root" || name.parse::<u32>() == Ok(0) {
        "root".to_string()
    } else {
        user.to_string()
    }
}

/// Whether one EXPOSE word (`8080`, `8080/tcp`, `53/UDP`, `8000-8010/udp`) opens the port:
/// Docker reads the protocol in any case and TCP when none is written.
fn exposes(word: &str, want: &Port) -> bool {
    let (number, protocol) = word.split_once('/').unwrap_or((word, ""));
    let protocol = match protocol {
        "" => "tcp",
        p => &p.to_ascii_lowercase(),
    };
    let (lo, hi) = number.split_once('-').unwrap_or((number, number));
    protocol == want.protocol_name()
        && matches!((lo.parse::<u16>(), hi.parse::<u16>()),
            (Ok(lo), Ok(hi)) if (lo..=hi).contains(&want.port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Literal, Matcher};

    fn check() -> DockerfileCheck {
        DockerfileCheck {
            path: "greeter/Dockerfile".into(),
            ..Default::default()
        }
    }

    fn problems_of(c: &DockerfileCheck, file: &str) -> Vec<String> {
        let m = meaning::read(file).unwrap_or_else(|e| panic!("{e:?}"));
        problems(c, &m)
    }

    #[test]
    fn base_image_messages_name_both_images() {
        let c = DockerfileCheck {
            from: Some("busybox:1.36".into()),
            ..check()
        };
        assert!(problems_of(&c, "FROM docker.io/library/busybox:1.36\n").is_empty());
        assert_eq!(
            problems_of(&c, "FROM alpine:3.20\n"),
            ["greeter/Dockerfile builds on alpine:3.20; the task asks for busybox:1.36"]
        );
    }

    #[test]
    fn a_command_pattern_is_never_shown() {
        let c = DockerfileCheck {
            command: Some(Matcher::Matches("^echo Greet".into())),
            ..check()
        };
        assert!(problems_of(&c, "FROM busybox\nCMD echo Greetings\n").is_empty());
        let p = problems_of(&c, "FROM busybox\nCMD [\"echo\", \"hi\"]\n");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("\"echo hi\"") && !p[0].contains("Greet"),
            "{p:?}"
        );
        let p = problems_of(&c, "FROM busybox\n");
        assert!(p[0].contains("no CMD or ENTRYPOINT"), "{p:?}");
    }

    /// labs/week1's `dockerfile-written`.
    fn week1() -> DockerfileCheck {
        DockerfileCheck {
            from: Some("busybox:1.36".into()),
            default_command: Some(true),
            command: Some(Matcher::Contains("Greetings from my first image".into())),
            ..check()
        }
    }

    #[test]
    fn week1_greeter_is_judged_by_what_docker_runs() {
        let c = week1();
        let passes = [
            "CMD [\"echo\", \"Greetings from my first image\"]",
            "CMD echo Greetings from my first image",
            "CMD echo \"Greetings from my first image\"",
            "ENTRYPOINT [\"echo\"]\nCMD [\"Greetings from my first image\"]",
            "ENTRYPOINT [\"echo\", \"Greetings from my first image\"]",
            "ENTRYPOINT echo Greetings from my first image",
        ];
        for cmd in passes {
            let p = problems_of(&c, &format!("FROM busybox:1.36\n{cmd}\n"));
            assert!(p.is_empty(), "{cmd}: {p:?}");
        }
        // Docker ignores CMD after a shell-form ENTRYPOINT: the container runs `echo`.
        let p = problems_of(
            &c,
            "FROM busybox:1.36\nENTRYPOINT echo\nCMD [\"Greetings from my first image\"]\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("is \"echo\""), "{p:?}");
    }

    #[test]
    fn a_list_that_is_no_json_is_the_shell_command_docker_runs() {
        let c = week1();
        // Docker stores these as ["/bin/sh", "-c", "<text>"]; the container exits 127.
        for cmd in [
            "CMD ['echo', 'Greetings from my first image']",
            "CMD [“echo”, “Greetings from my first image”]",
            "CMD [echo, Greetings from my first image]",
            "CMD [\"echo\", \"Greetings from my first image\",]",
            "ENTRYPOINT ['echo']\nCMD [\"Greetings from my first image\"]",
            "ENTRYPOINT [\"echo\"]\nCMD ['Greetings from my first image']",
        ] {
            let p = problems_of(&c, &format!("FROM busybox:1.36\n{cmd}\n"));
            assert_eq!(p.len(), 1, "{cmd}: {p:?}");
            assert!(p[0].contains("no JSON list"), "{cmd}: {p:?}");
        }
        let m = meaning::read("FROM busybox:1.36\nCMD ['echo', 'hi']\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            m.default_command.as_deref(),
            Some("/bin/sh -c ['echo', 'hi']")
        );
        assert_eq!(m.not_json.as_deref(), Some("CMD ['echo', 'hi']"));
        // The shell's own tests open with `[` and are no lists.
        let c = DockerfileCheck {
            command: Some(Matcher::Contains("Greetings".into())),
            ..week1()
        };
        let p = problems_of(
            &c,
            "FROM busybox:1.36\nCMD [ -f /x ] || echo Greetings\nCMD [[ -f /x ]] || echo Greetings\n",
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn ports_user_healthcheck_labels() {
        let c = DockerfileCheck {
            expose: vec![Port::tcp(8080), Port::tcp(9000)],
            user: Some(Matcher::Not(Box::new(Matcher::Equals(Literal::Str(
                "root".into(),
            ))))),
            healthcheck: Some(true),
            labels: vec![("maintainer".into(), Matcher::Contains("@".into()))],
            default_command: Some(true),
            ..check()
        };
        let good = "FROM busybox\nEXPOSE 8080/tcp 8990-9010\nUSER app\nHEALTHCHECK CMD true\nLABEL maintainer=a@b\nENTRYPOINT [\"sh\"]\n";
        assert!(problems_of(&c, good).is_empty());
        let p = problems_of(&c, "FROM busybox\nEXPOSE 80\nLABEL maintainer=nobody\n");
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(
            p.iter()
                .any(|m| m.contains("does not EXPOSE 8080 (it exposes 80)"))
        );
        assert!(p.iter().any(|m| m.contains("runs as root")));
        assert!(p.iter().any(|m| m.contains("is \"nobody\"")));
        let p = problems_of(&c, "FROM busybox\nUSER 0\n");
        assert!(p.iter().any(|m| m.contains("runs as USER 0")), "{p:?}");
        assert_eq!(effective_user("app:0"), "app:0");
    }

    #[test]
    fn a_port_is_exposed_over_the_protocol_asked_for() {
        let udp = |port| Port {
            port,
            protocol: crate::model::Protocol::Udp,
        };
        let tcp = DockerfileCheck {
            expose: vec![Port::tcp(8080)],
            ..check()
        };
        let dns = DockerfileCheck {
            expose: vec![udp(53)],
            ..check()
        };
        let exposing = |c: &DockerfileCheck, ports: &str| {
            problems_of(c, &format!("FROM busybox\nEXPOSE {ports}\n")).is_empty()
        };
        for ports in [
            "8080",
            "8080/tcp",
            "8080/TCP",
            "53/udp 8080",
            "8000-8090",
            "8000-9000/tcp",
        ] {
            assert!(exposing(&tcp, ports), "{ports}");
        }
        for ports in [
            "8080/udp",
            "8080/UDP",
            "8000-9000/udp",
            "8080/sctp",
            "80",
            "9000-8000",
        ] {
            assert!(!exposing(&tcp, ports), "{ports}");
        }
        for ports in ["53/udp", "53/UDP", "50-60/udp", "8080 53/udp"] {
            assert!(exposing(&dns, ports), "{ports}");
        }
        for ports in ["53", "53/tcp", "50-60"] {
            assert!(!exposing(&dns, ports), "{ports}");
        }
        let p = problems_of(&tcp, "FROM busybox\nEXPOSE 8080/udp\n");
        assert_eq!(
            p,
            ["greeter/Dockerfile does not EXPOSE 8080 (it exposes 8080/udp)"]
        );
        let p = problems_of(&dns, "FROM busybox\nEXPOSE 53\n");
        assert_eq!(
            p,
            ["greeter/Dockerfile does not EXPOSE 53/udp (it exposes 53)"]
        );
    }

    #[test]
    fn uid_0_is_root_whatever_the_group() {
        let c = DockerfileCheck {
            user: Some(Matcher::Not(Box::new(Matcher::Equals(Literal::Str(
                "root".into(),
            ))))),
            ..check()
        };
        for user in [
            "root",
            "0",
            "00",
            "0:0",
            "root:root",
            "root:0",
            "0:root",
            "0:app",
            ":0",
        ] {
            let p = problems_of(&c, &format!("FROM busybox\nUSER {user}\n"));
            assert_eq!(p.len(), 1, "USER {user}: {p:?}");
            assert!(p[0].contains(&format!("runs as USER {user},")), "{p:?}");
        }
        for user in ["app", "app:root", "1000:0", "65534", "rooty"] {
            let p = problems_of(&c, &format!("FROM busybox\nUSER {user}\n"));
            assert!(p.is_empty(), "USER {user}: {p:?}");
        }
        assert_eq!(effective_user("1000:0"), "1000:0");
    }
}
