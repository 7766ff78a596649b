//! `answer` (LAB_FORMAT §4.5): a line `key: value` in a workspace answers file, compared
//! with a value, a digest, a pattern, or what the live engine reports. Messages show what
//! the student wrote, never the expected value.

mod offered;
pub mod read;
mod table;

use std::io::Read;

use serde_json::Value;

use crate::checks::context::RunContext;
use crate::checks::outcome::Outcome;
use crate::checks::target::find;
use crate::checks::words::seen as quote;
use crate::engine::inspect;
use crate::model::{AnswerCheck, AnswerExpect, AnswerInspect, InspectSource};

pub use read::{normalize, same};

/// Answers files are read up to this much.
const FILE_CAP: u64 = 1024 * 1024;

pub async fn run(ctx: &RunContext, c: &AnswerCheck) -> Outcome {
    let text = match workspace_text(ctx, &c.file) {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Outcome::missing(format!("there is no {} in your workspace", c.file));
        }
        Err(o) => return o,
    };
    let lines = read::lines_for(&text, &c.key);
    // The first line with a value counts: a template's empty `key:` or its placeholder
    // (`key: <the value of …>`) above it is no answer, and the first answer is the one
    // meant (a later different one reads as a second guess). A placeholder with no answer
    // is graded as written (`<none>` may be right) and said to be one if wrong.
    let answered = |l: &&read::Line| !l.value.is_empty();
    let first = lines.iter().filter(answered).find(|l| !l.placeholder);
    let Some(line) = first.or_else(|| lines.iter().find(answered)) else {
        return if lines.is_empty() {
            Outcome::missing(format!(
                "{} has no line for {key}: write \"{key}: …\" on a line of its own",
                c.file,
                key = c.key
            ))
        } else {
            Outcome::missing(format!(
                "{} has a line for {} but no value after the colon",
                c.file, c.key
            ))
            .evidence(format!("{}:{}: {}", c.file, lines[0].number, lines[0].text))
        };
    };
    let evidence = format!("{}:{}: {}", c.file, line.number, line.text);
    let inspected = match &c.expect {
        AnswerExpect::Inspect(i) => match expected(ctx, i).await {
            Ok(values) => values,
            Err(o) => return o,
        },
        _ => Vec::new(),
    };
    let pattern = match &c.expect {
        AnswerExpect::Matches(re) => regex::RegexBuilder::new(re)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .ok(),
        _ => None,
    };
    let is_right = |value: &str| match &c.expect {
        AnswerExpect::Equals(values) => values.iter().any(|v| read::same(value, v)),
        AnswerExpect::Sha256(digests) => read::digests(value)
            .iter()
            .any(|d| digests.iter().any(|w| w.eq_ignore_ascii_case(d))),
        AnswerExpect::Matches(_) => pattern.as_ref().is_some_and(|r| r.is_match(value)),
        AnswerExpect::Inspect(i) => inspected.iter().any(|v| accepts(value, v, i.prefix)),
    };
    // `137 (or 143)` is a choice, not an answer: every value the line offers must be right.
    if is_right(&line.value) && line.offered.iter().all(|o| is_right(o)) {
        return Outcome::pass(format!("{} gives the right {}", c.file, c.key)).evidence(evidence);
    }
    let mut message = if line.offered.is_empty() {
        format!(
            "{} says {} is {}; that is not right",
            c.file,
            c.key,
            quote(&line.value)
        )
    } else {
        // Which of them is wrong is not said: that would grade each guess.
        let all: Vec<String> = std::iter::once(&line.value)
            .chain(&line.offered)
            .map(|v| quote(v))
            .collect();
        format!(
            "{} gives more than one {}: {}; write only the one you mean",
            c.file,
            c.key,
            all.join(" or ")
        )
    };
    if let AnswerExpect::Inspect(AnswerInspect {
        prefix: Some(n), ..
    }) = &c.expect
        && line.value.chars().count() < *n as usize
    {
        message.push_str(&format!(" (give at least {n} characters of it)"));
    }
    if line.placeholder {
        message.push_str(" (that is the template's placeholder: write your answer in its place)");
    }
    let later = lines
        .iter()
        .filter(|l| l.number > line.number && !l.value.is_empty() && !l.placeholder)
        .find(|l| !read::same(&l.value, &line.value));
    if let Some(l) = later {
        message.push_str(&format!(
            "; line {} gives {} again, but the first one counts",
            l.number, c.key
        ));
    }
    Outcome::fail(message).evidence(evidence)
}

/// Whether the student's value is `expected`, or (with `prefix`) a leading part of it at
/// least that long. An image id may be written with or without its `sha256:`.
fn accepts(student: &str, expected: &str, prefix: Option<u32>) -> bool {
    let forms = [Some(expected), expected.strip_prefix("sha256:")];
    forms.into_iter().flatten().any(|want| {
        if read::same(student, want) {
            return true;
        }
        let Some(n) = prefix else { return false };
        let (s, w) = (read::normalize(student), read::normalize(want));
        s.chars().count() >= n as usize && w.starts_with(&s)
    })
}

/// The values the engine has where `inspect:` points.
async fn expected(ctx: &RunContext, i: &AnswerInspect) -> Result<Vec<String>, Outcome> {
    let engine = ctx.engine().map_err(Outcome::error)?;
    let (doc, what) = match &i.source {
        InspectSource::Container(t) => {
            let found = find(ctx, t).await?;
            match inspect::container(engine, &found.id).await {
                Ok(Some(v)) => (v, found.name),
                Ok(None) => {
                    return Err(Outcome::error(format!(
                        "{} went away while it was looked at",
                        found.name
                    )));
                }
                Err(e) => return Err(Outcome::error(e.to_string())),
            }
        }
        InspectSource::Engine => match inspect::engine(engine).await {
            Ok(v) => (v, "the engine".to_string()),
            Err(e) => return Err(Outcome::error(e.to_string())),
        },
    };
    let values: Vec<String> = pointer_all(&doc, &i.path)
        .into_iter()
        .filter_map(scalar)
        .collect();
    if values.is_empty() {
        // The lab points at a field this object does not have: the grader cannot tell.
        return Err(Outcome::error(format!(
            "{what} reports nothing at {}, so this answer cannot be graded",
            i.path
        )));
    }
    Ok(values)
}

/// A value a student could write: strings as they are, numbers and booleans as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Every value at a JSON pointer in which a `*` segment stands for any key or index
/// (`/NetworkSettings/Networks/*/IPAddress`).
pub fn pointer_all<'v>(doc: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut here = vec![doc];
    for raw in path.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        here = here
            .into_iter()
            .flat_map(|v| -> Vec<&Value> {
                match (v, segment.as_str()) {
                    (Value::Object(o), "*") => o.values().collect(),
                    (Value::Array(a), "*") => a.iter().collect(),
                    (Value::Object(o), key) => o.get(key).into_iter().collect(),
                    (Value::Array(a), index) => index
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| a.get(i))
                        .into_iter()
                        .collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    here
}

/// The answers file, `Ok(None)` when it is not there.
fn workspace_text(ctx: &RunContext, file: &str) -> Result<Option<String>, Outcome> {
    let full = ctx.workspace.join(file);
    let opened = match std::fs::File::open(&full) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Outcome::error(format!(
                "could not read {}: {e}",
                full.display()
            )));
        }
    };
    if opened.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Outcome::missing(format!(
            "{file} in your workspace is a folder; the answers go in a file"
        )));
    }
    let mut bytes = Vec::new();
    opened
        .take(FILE_CAP)
        .read_to_end(&mut bytes)
        .map_err(|e| Outcome::error(format!("could not read {}: {e}", full.display())))?;
    Ok(Some(crate::text::file_text(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::outcome::Status;
    use serde_json::json;

    /// `passphrase` graded in an answers.md holding `bytes`, without an engine.
    async fn graded(bytes: &[u8], expect: AnswerExpect) -> Outcome {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("answers.md"), bytes).expect("answers.md written");
        let ws = dir.path().to_path_buf();
        let ctx = RunContext::new(None, "t", ws.clone(), ws);
        let check = AnswerCheck {
            file: "answers.md".into(),
            key: "passphrase".into(),
            expect,
        };
        run(&ctx, &check).await
    }

    fn kettle() -> AnswerExpect {
        AnswerExpect::Equals(vec!["copper-kettle".into()])
    }

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut bytes = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        bytes
    }

    #[tokio::test]
    async fn answers_saved_by_windows_tools_are_read() {
        // Notepad "UTF-8 with BOM", PowerShell 5.1 `Set-Content -Encoding UTF8`.
        let bom = b"\xEF\xBB\xBFpassphrase: copper-kettle\r\n";
        let o = graded(bom, kettle()).await;
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        // PowerShell 5.1 `echo "passphrase: copper-kettle" > answers.md`.
        for le in [true, false] {
            let bytes = utf16("passphrase: copper-kettle\r\n", le);
            let o = graded(&bytes, kettle()).await;
            assert_eq!(o.status, Status::Pass, "{}", o.message);
        }
        // A digest is of the decoded value, not of the bytes on disk.
        let digest = read::sha256_hex("copper-kettle");
        let o = graded(
            &utf16("passphrase: copper-kettle", true),
            AnswerExpect::Sha256(vec![digest]),
        )
        .await;
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        let o = graded(&utf16("passphrase: brass-kettle", true), kettle()).await;
        assert_eq!(o.status, Status::Fail, "{}", o.message);
    }

    fn equals(values: &[&str]) -> AnswerExpect {
        AnswerExpect::Equals(values.iter().map(|v| v.to_string()).collect())
    }

    #[tokio::test]
    async fn a_template_placeholder_above_the_answer_is_no_answer() {
        let text = "passphrase: <the value of the environment variable PASSPHRASE>\n\
                    id: <the first 12 characters>\n\n\
                    passphrase: copper-kettle\n";
        let o = graded(text.as_bytes(), kettle()).await;
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        assert!(
            o.evidence.contains(":4: passphrase: copper-kettle"),
            "{}",
            o.evidence
        );
        // The placeholder left alone is graded, and said to be one.
        let o = graded(b"passphrase: <the value of PASSPHRASE>\n", kettle()).await;
        assert_eq!(o.status, Status::Fail, "{}", o.message);
        assert!(o.message.contains("placeholder"), "{}", o.message);
        // A value docker itself prints in angle brackets is an answer like any other.
        let o = graded(b"passphrase: <none>\n", equals(&["<none>"])).await;
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        // Two real answers: the first still counts.
        let o = graded(
            b"passphrase: brass-kettle\npassphrase: copper-kettle\n",
            kettle(),
        )
        .await;
        assert_eq!(o.status, Status::Fail, "{}", o.message);
    }

    #[tokio::test]
    async fn a_hedged_answer_does_not_pass() {
        for hedge in [
            "137 (or 143)",
            "137 (143?)",
            "137 (maybe 143)",
            "137 (either 137 or 143)",
            "137 (137 / 143)",
            "`137` (or perhaps 143.)",
        ] {
            let text = format!("passphrase: {hedge}\n");
            let o = graded(text.as_bytes(), equals(&["137"])).await;
            assert_eq!(o.status, Status::Fail, "{hedge}: {}", o.message);
            assert!(o.message.contains("143"), "{hedge}: {}", o.message);
            let digest = AnswerExpect::Sha256(vec![read::sha256_hex("137")]);
            let o = graded(text.as_bytes(), digest).await;
            assert_eq!(o.status, Status::Fail, "{hedge}: {}", o.message);
        }
        // Remarks that explain, and alternatives that are right too, still pass; a word's
        // remark is read as a gloss.
        for (answer, right) in [
            ("137 (SIGKILL)", "137"),
            ("137 (SIGKILL/9)", "137"),
            ("nc (or netcat)", "nc"),
            ("nc (busybox?)", "nc"),
            ("137 (SIGKILL, after the 10 s grace period)", "137"),
            ("137 (signal 9 or SIGKILL)", "137"),
            ("137 (128 + 9)", "137"),
            ("137 (or 137.0)", "137"),
            ("nc (or /bin/nc)", "nc"),
            ("nc (/bin/nc in busybox)", "nc"),
            (
                "copper-kettle (from the env, or so docker inspect says)",
                "copper-kettle",
            ),
        ] {
            let text = format!("passphrase: {answer}\n");
            let o = graded(text.as_bytes(), equals(&[right, "/bin/nc"])).await;
            assert_eq!(o.status, Status::Pass, "{answer}: {}", o.message);
        }
    }

    #[tokio::test]
    async fn a_full_stop_after_a_word_answer() {
        for answer in [
            "copper-kettle.",
            "**copper-kettle**.",
            "`copper-kettle`!",
            "copper-kettle (SIGKILL).",
        ] {
            let text = format!("passphrase: {answer}\n");
            let o = graded(text.as_bytes(), kettle()).await;
            assert_eq!(o.status, Status::Pass, "{answer}: {}", o.message);
            let digest = AnswerExpect::Sha256(vec![read::sha256_hex("copper-kettle")]);
            let o = graded(text.as_bytes(), digest).await;
            assert_eq!(o.status, Status::Pass, "{answer}: {}", o.message);
        }
        for answer in ["copper-kettle..", "copper.kettle", "copper-kettle?"] {
            let text = format!("passphrase: {answer}\n");
            let o = graded(text.as_bytes(), kettle()).await;
            assert_eq!(o.status, Status::Fail, "{answer}: {}", o.message);
        }
    }

    #[tokio::test]
    async fn an_answer_in_a_table() {
        let text = "| key | value |\n|---|:---:|\n| passphrase | `copper-kettle` |\n";
        let o = graded(text.as_bytes(), kettle()).await;
        assert_eq!(o.status, Status::Pass, "{}", o.message);
    }

    #[test]
    fn pointers_with_stars_find_every_value() {
        let doc = json!({
            "Id": "abc",
            "NetworkSettings": {"Networks": {
                "a": {"IPAddress": "10.0.0.2"},
                "b": {"IPAddress": "10.1.0.3"}
            }},
            "Args": ["x", "y"],
            "a/b": {"~c": 1}
        });
        let texts = |p: &str| -> Vec<String> {
            pointer_all(&doc, p)
                .into_iter()
                .filter_map(scalar)
                .collect()
        };
        assert_eq!(
            texts("/NetworkSettings/Networks/*/IPAddress"),
            ["10.0.0.2", "10.1.0.3"]
        );
        assert_eq!(texts("/Id"), ["abc"]);
        assert_eq!(texts("/Args/1"), ["y"]);
        assert_eq!(texts("/Args/*"), ["x", "y"]);
        assert_eq!(texts("/a~1b/~0c"), ["1"]);
        assert!(texts("/Nope/*").is_empty());
        assert!(texts("/Args/9").is_empty());
    }

    #[test]
    fn prefixes_of_ids() {
        let id = "4f2a9c1b7e3d5a6f8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a";
        assert!(accepts("4f2a9c1b7e3d", id, Some(12)));
        assert!(accepts("4F2A9C1B7E3D5A", id, Some(12)));
        assert!(accepts(id, id, Some(12)));
        assert!(!accepts("4f2a9c1b7e3", id, Some(12)));
        assert!(!accepts("4f2a9c1b7e3e", id, Some(12)));
        assert!(!accepts("4f2a9c1b7e3d", id, None));
        let image = format!("sha256:{id}");
        assert!(accepts("4f2a9c1b7e3d", &image, Some(12)));
        assert!(accepts(&image, &image, None));
        assert!(accepts(id, &image, None));
    }
}
