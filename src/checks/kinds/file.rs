//! `file`: a file in the workspace, or inside a container (read through the engine's
//! archive API, so it works in images without a shell).

use std::io::Read;
use std::time::Duration;

use crate::checks::context::RunContext;
use crate::checks::matcher::{text, undecided_when_cut};
use crate::checks::outcome::Outcome;
use crate::checks::target::find;
use crate::checks::words::{unmet, wanted};
use crate::engine::files;
use crate::model::FileCheck;
use crate::text::{cap, file_text, printable_text};

/// Files are read up to this much.
const FILE_CAP: usize = 1024 * 1024;

struct Seen {
    /// `None`: a host file on Windows, which has no unix mode.
    mode: Option<u32>,
    content: Vec<u8>,
    is_dir: bool,
    /// Longer than what is read.
    cut: bool,
}

pub async fn run(ctx: &RunContext, c: &FileCheck, timeout: Duration) -> Outcome {
    let (seen, place) = match &c.target {
        None => (workspace_file(ctx, &c.path), "your workspace".to_string()),
        Some(t) => {
            let found = match find(ctx, t).await {
                Ok(f) => f,
                Err(o) => return o,
            };
            let read = tokio::time::timeout(timeout, container_file(ctx, &found.id, &c.path)).await;
            match read {
                Ok(r) => (r, found.name),
                Err(_) => {
                    return Outcome::error(format!(
                        "reading {} took longer than {}",
                        c.path,
                        crate::model::Dur(timeout)
                    ));
                }
            }
        }
    };
    let seen = match seen {
        Ok(s) => s,
        Err(e) => return Outcome::error(e),
    };
    match (c.exists, seen) {
        (false, None) => Outcome::pass(format!("{} is not in {place}", c.path)),
        (false, Some(_)) => Outcome::fail(format!(
            "expected no {} in {place}, but it is there",
            c.path
        )),
        // A workspace file is the student's to write: nothing else will make it. A file in
        // a container may be on its way (a process writes it): waiting can help there.
        (true, None) if c.target.is_none() => {
            Outcome::missing(format!("there is no {} in {place}", c.path))
        }
        (true, None) => Outcome::fail(format!("there is no {} in {place}", c.path)),
        (true, Some(s)) => judge(c, &s, &place),
    }
}

fn judge(c: &FileCheck, s: &Seen, place: &str) -> Outcome {
    // The student's file as they saved it (a BOM, UTF-16 from PowerShell), then printable.
    let content = printable_text(&file_text(&s.content));
    let evidence = cap(&content, 2048);
    if let Some(want) = c.mode {
        let got = match s.mode {
            Some(m) => m & 0o7777,
            // Said, never passed over: a mode the grader cannot see is an error.
            None => return Outcome::error(crate::platform::no_file_modes(&c.path, want)),
        };
        if got != want {
            return Outcome::fail(format!(
                "expected {} to have mode {want:04o}, it has {got:04o}",
                c.path
            ));
        }
    }
    if (c.contains.is_some() || c.matches.is_some()) && s.is_dir {
        return Outcome::fail(format!("expected {} to be a file, it is a folder", c.path));
    }
    // Past the cap only a match in what was read is sure.
    let pattern = c
        .matches
        .as_ref()
        .map(|re| crate::model::Matcher::Matches(re.clone()));
    if s.cut
        && [c.contains.as_ref(), pattern.as_ref()]
            .into_iter()
            .flatten()
            .any(|m| undecided_when_cut(m, &content))
    {
        return Outcome::error(format!(
            "{} in {place} is longer than the {} MiB a check reads, so whether it holds what is asked cannot be told",
            c.path,
            FILE_CAP / (1024 * 1024)
        ))
        .evidence(evidence);
    }
    if let Some(m) = &c.contains
        && !text(m, &content)
    {
        return Outcome::fail(format!(
            "expected {} in {place} to {}; it does not",
            c.path,
            wanted(unmet(m, &|p| text(p, &content)))
        ))
        .evidence(evidence);
    }
    if let Some(re) = &c.matches
        && !text(&crate::model::Matcher::Matches(re.clone()), &content)
    {
        // The pattern is not shown: it is often the answer.
        return Outcome::fail(format!(
            "{} in {place} does not have the content the task asks for",
            c.path
        ))
        .evidence(evidence);
    }
    Outcome::pass(format!("{} in {place} is as the task asks", c.path)).evidence(evidence)
}

fn workspace_file(ctx: &RunContext, path: &str) -> Result<Option<Seen>, String> {
    let full = ctx.workspace.join(path);
    let meta = match std::fs::metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("could not read {}: {e}", full.display())),
    };
    let mut content = Vec::new();
    if meta.is_file() {
        std::fs::File::open(&full)
            .and_then(|f| f.take(FILE_CAP as u64).read_to_end(&mut content))
            .map_err(|e| format!("could not read {}: {e}", full.display()))?;
    }
    Ok(Some(Seen {
        mode: crate::platform::unix_mode(&meta),
        cut: meta.is_file() && meta.len() > FILE_CAP as u64,
        content,
        is_dir: meta.is_dir(),
    }))
}

async fn container_file(ctx: &RunContext, id: &str, path: &str) -> Result<Option<Seen>, String> {
    let found = files::read(ctx.engine()?, id, path, FILE_CAP)
        .await
        .map_err(|e| e.to_string())?;
    Ok(found.map(|f| Seen {
        mode: Some(f.mode),
        cut: f.content.len() >= FILE_CAP,
        content: f.content,
        is_dir: f.is_dir,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::outcome::Status;

    fn check(mode: Option<u32>) -> FileCheck {
        FileCheck {
            target: None,
            path: "run.sh".into(),
            exists: true,
            contains: None,
            matches: None,
            mode,
        }
    }

    /// week2's `logs-saved`: timestamped lines, and every line has its timestamp.
    fn logs_saved() -> FileCheck {
        let stamped = |line: &str| {
            crate::model::Matcher::Matches(format!(
                "(?m)^\\[?[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}[0-9.,]*(Z|[+-][0-9:]{{2,5}})?\\]? +{line}"
            ))
        };
        FileCheck {
            path: "app.log".into(),
            contains: Some(crate::model::Matcher::All(vec![
                stamped("app: serving /shared"),
                stamped("app: configuration loaded"),
                crate::model::Matcher::Not(Box::new(crate::model::Matcher::Matches(
                    "(?m)^[^\\[0-9\\n]".into(),
                ))),
            ])),
            ..check(None)
        }
    }

    #[test]
    fn files_saved_by_windows_tools_are_read() {
        let log = "2026-11-28T20:01:02.123456789Z app: serving /shared\r\n\
                   2026-11-28T20:01:03.5Z app: configuration loaded\r\n";
        let seen = |content: Vec<u8>| Seen {
            mode: None,
            content,
            is_dir: false,
            cut: false,
        };
        let plain = judge(&logs_saved(), &seen(log.as_bytes().to_vec()), "here");
        assert_eq!(plain.status, Status::Pass, "{}", plain.message);
        // PowerShell 5.1 `Set-Content -Encoding UTF8`: a BOM before the first timestamp.
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(log.as_bytes());
        let o = judge(&logs_saved(), &seen(bom), "here");
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        // PowerShell 5.1 `docker logs -t week2-app > app.log`: UTF-16LE with its BOM.
        let mut le = vec![0xFF, 0xFE];
        le.extend(log.encode_utf16().flat_map(u16::to_le_bytes));
        let o = judge(&logs_saved(), &seen(le), "here");
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        // week4's stats.txt, the same way.
        let stats = FileCheck {
            path: "stats.txt".into(),
            contains: Some(crate::model::Matcher::Contains("64MiB".into())),
            ..check(None)
        };
        let mut le = vec![0xFF, 0xFE];
        le.extend(
            "week4-api 1.2MiB / 64MiB"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(judge(&stats, &seen(le), "here").status, Status::Pass);
    }

    #[test]
    fn a_mode_without_unix_modes_is_an_error_not_a_pass() {
        // A host file on Windows is seen with no mode.
        let seen = Seen {
            mode: None,
            content: b"echo hi\n".to_vec(),
            is_dir: false,
            cut: false,
        };
        let o = judge(&check(Some(0o755)), &seen, "your workspace");
        assert_eq!(o.status, Status::Error);
        assert!(
            o.message.contains("not applicable on Windows"),
            "{}",
            o.message
        );
        // No mode asked: nothing to say about it.
        assert_eq!(
            judge(&check(None), &seen, "your workspace").status,
            Status::Pass
        );
        let unix = Seen {
            mode: Some(0o100644),
            ..seen
        };
        assert_eq!(
            judge(&check(Some(0o755)), &unix, "here").status,
            Status::Fail
        );
        assert_eq!(
            judge(&check(Some(0o644)), &unix, "here").status,
            Status::Pass
        );
    }

    /// A file longer than what is read: week2's `logs-saved` (every line stamped, a `not`)
    /// cannot be passed on its first MiB; a match found there still counts.
    #[test]
    fn a_file_cut_at_the_cap_decides_only_what_was_read() {
        let log = "2026-11-28T20:01:02Z app: serving /shared\n2026-11-28T20:01:03Z app: configuration loaded\n";
        let cut = Seen {
            mode: None,
            content: log.as_bytes().to_vec(),
            is_dir: false,
            cut: true,
        };
        assert_eq!(judge(&logs_saved(), &cut, "here").status, Status::Error);
        let found = FileCheck {
            contains: Some(crate::model::Matcher::Contains(
                "configuration loaded".into(),
            )),
            ..check(None)
        };
        assert_eq!(judge(&found, &cut, "here").status, Status::Pass);
        let missed = FileCheck {
            matches: Some("never".into()),
            ..check(None)
        };
        assert_eq!(judge(&missed, &cut, "here").status, Status::Error);
    }
}
