//! CMD and ENTRYPOINT: the form Docker reads each in, and the default command the image
//! ends up with.

use parse_dockerfile::Command;

/// CMD and ENTRYPOINT as written: exec form (a JSON list) or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Exec(Vec<String>),
    Shell(String),
}

impl Form {
    fn text(&self) -> String {
        match self {
            Form::Exec(words) => words.join(" "),
            Form::Shell(s) => s.clone(),
        }
    }
}

pub fn form(cmd: &Command, escape: char) -> Form {
    match cmd {
        Command::Exec(words) => {
            Form::Exec(words.value.iter().map(|w| w.value.to_string()).collect())
        }
        Command::Shell(text) => Form::Shell(join_continuations(text.value, escape)),
        // The parser may learn new forms; one it cannot name counts as no command.
        _ => Form::Exec(Vec::new()),
    }
}

/// Shell-form text as one line: continuation lines joined, comment lines inside dropped.
fn join_continuations(text: &str, escape: char) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        let piece = trimmed.strip_suffix(escape).unwrap_or(trimmed);
        if !out.is_empty() && !piece.is_empty() {
            out.push(' ');
        }
        out.push_str(piece.trim());
    }
    out
}

/// The ENTRYPOINT words and then the CMD words, joined with spaces; `None` without both.
pub fn default_command(entrypoint: Option<&Form>, cmd: Option<&Form>) -> Option<String> {
    let words: Vec<String> = [entrypoint, cmd]
        .into_iter()
        .flatten()
        .map(Form::text)
        .filter(|t| !t.trim().is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::super::meaning::{Meaning, read};

    fn meaning(text: &str) -> Meaning {
        read(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    #[test]
    fn cmd_or_entrypoint_is_a_default_command() {
        let cmd = |f: &str| meaning(f).default_command;
        assert_eq!(cmd("FROM busybox:1.36\n"), None);
        assert_eq!(
            cmd("FROM busybox:1.36\nCMD [\"echo\", \"Greetings\"]\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\ncmd echo Greetings\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\nENTRYPOINT [\"echo\"]\n").as_deref(),
            Some("echo")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\nENTRYPOINT [\"echo\"]\nCMD [\"Greetings\"]\n").as_deref(),
            Some("echo Greetings")
        );
        assert_eq!(
            cmd("FROM busybox:1.36\nCMD echo \\\n  # note\n  Greetings \\\n  all\n").as_deref(),
            Some("echo Greetings all")
        );
        assert_eq!(cmd("FROM busybox:1.36\nCMD []\n"), None);
    }

    #[test]
    fn the_default_command_is_inherited_from_earlier_stages() {
        let m =
            meaning("FROM busybox:1.36 AS base\nCMD [\"httpd\", \"-f\"]\nFROM base\nRUN true\n");
        assert_eq!(m.default_command.as_deref(), Some("httpd -f"));
        // An ENTRYPOINT clears an inherited CMD, as in Docker...
        let m =
            meaning("FROM busybox:1.36 AS base\nCMD [\"-f\"]\nFROM base\nENTRYPOINT [\"httpd\"]\n");
        assert_eq!(m.default_command.as_deref(), Some("httpd"));
        // ...but not one of its own stage.
        let m = meaning("FROM busybox:1.36\nCMD [\"-f\"]\nENTRYPOINT [\"httpd\"]\n");
        assert_eq!(m.default_command.as_deref(), Some("httpd -f"));
        // A stage not built from another inherits nothing from it.
        let m = meaning("FROM busybox:1.36 AS a\nCMD [\"x\"]\nFROM busybox:1.36\n");
        assert_eq!(m.default_command, None);
    }
}
