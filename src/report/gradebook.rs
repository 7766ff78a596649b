//! A class's grades, one row per student, written in the shapes instructors and platforms
//! read (PRODUCT.md "Grading submissions"): `gradebook.csv`, `gradebook.json` (with the
//! lab's digest and each check's pass rate), `junit.xml` (one suite per student), and per
//! student the text and JSON reports and Gradescope's `results.json`.

use serde::{Deserialize, Serialize};

use super::Report;
use crate::checks::Status;

/// Bumped when the gradebook's JSON shape changes incompatibly.
pub const GRADEBOOK_VERSION: u32 = 1;

/// One student's submission, graded or not.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub student: String,
    /// `graded`: the checks ran (whatever the score); `error`: the submission could not be
    /// graded (the reason says why: a time-out, a refused stack, a broken lab).
    pub status: String,
    pub score: u32,
    pub max_score: u32,
    /// Per check: id → points earned.
    pub points: Vec<(String, u32)>,
    pub duration_s: f64,
    /// Where that time went, by phase: `start` (the fresh lab and the files), `stack` (the
    /// submitted stack), `script` (the student's script), `checks`, `teardown`; seconds. A
    /// phase that did not run is absent (`gradebook.json` keys them by name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<(String, f64)>,
    /// The engine it was graded on (several may share a class).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Things to know (the run script was not run, what was left behind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The report as `lab check --format json` gives it (its `tests` and more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}

/// A check of the lab, for the columns and the pass rate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub title: String,
    pub points: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gradebook {
    pub gradebook_version: u32,
    pub lab: String,
    pub course: String,
    /// RFC 3339.
    pub graded_at: String,
    /// Which version of the lab's checks graded it.
    pub lab_digest: String,
    pub checks: Vec<CheckInfo>,
    pub rows: Vec<Row>,
}

impl Gradebook {
    /// Replace the rows of the students in `rows` (a regrade), keep the others; sorted by
    /// student so the files are stable.
    pub fn merge(&mut self, rows: Vec<Row>) {
        for row in rows {
            self.rows.retain(|r| r.student != row.student);
            self.rows.push(row);
        }
        self.rows.sort_by(|a, b| a.student.cmp(&b.student));
    }

    /// Read back a `gradebook.json` this module wrote, to merge a regrade into it.
    pub fn from_json(text: &str) -> Result<Gradebook, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        if v["gradebook_version"].as_u64() != Some(u64::from(GRADEBOOK_VERSION)) {
            return Err("it was written by another version of lab".into());
        }
        let checks = v["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| CheckInfo {
                id: s(c, "id"),
                title: s(c, "title"),
                points: c["points"].as_u64().unwrap_or(0) as u32,
            })
            .collect();
        let rows = v["students"]
            .as_array()
            .ok_or("it has no students")?
            .iter()
            .map(|r| {
                let tests = r["tests"].as_array().cloned().unwrap_or_default();
                Row {
                    student: s(r, "student"),
                    status: s(r, "status"),
                    score: r["score"].as_u64().unwrap_or(0) as u32,
                    max_score: r["max_score"].as_u64().unwrap_or(0) as u32,
                    points: tests
                        .iter()
                        .map(|t| (s(t, "id"), t["points"].as_u64().unwrap_or(0) as u32))
                        .collect(),
                    duration_s: r["duration_s"].as_f64().unwrap_or(0.0),
                    phases: r["phases_s"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                        .collect(),
                    engine: s(r, "engine"),
                    error: r["error"].as_str().map(str::to_string),
                    notes: r["notes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect(),
                    report: (!tests.is_empty()).then(|| serde_json::json!({ "tests": tests })),
                }
            })
            .collect();
        Ok(Gradebook {
            gradebook_version: GRADEBOOK_VERSION,
            lab: s(&v, "lab"),
            course: s(&v, "course"),
            graded_at: s(&v, "graded_at"),
            lab_digest: s(&v, "lab_digest"),
            checks,
            rows,
        })
    }

    /// The share of graded students who passed each check.
    pub fn pass_rates(&self) -> Vec<(String, f64)> {
        let graded: Vec<&Row> = self.rows.iter().filter(|r| r.status == "graded").collect();
        self.checks
            .iter()
            .map(|c| {
                let passed = graded
                    .iter()
                    .filter(|r| {
                        r.report.as_ref().is_some_and(|rep| {
                            rep["tests"].as_array().is_some_and(|t| {
                                t.iter()
                                    .any(|t| t["id"] == c.id.as_str() && t["status"] == "pass")
                            })
                        })
                    })
                    .count();
                let rate = if graded.is_empty() {
                    0.0
                } else {
                    passed as f64 / graded.len() as f64
                };
                (c.id.clone(), (rate * 1000.0).round() / 1000.0)
            })
            .collect()
    }

    /// `student, status, score, max_score, <check…>, duration_s, error, notes` (what the
    /// row's status does not say: a script that was not run, or failed, or what teardown
    /// could not remove).
    pub fn csv(&self) -> String {
        let mut out = String::from("student,status,score,max_score");
        for c in &self.checks {
            out.push(',');
            out.push_str(&csv_field(&c.id));
        }
        out.push_str(",duration_s,error,notes\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{}",
                csv_field(&r.student),
                r.status,
                r.score,
                r.max_score
            ));
            for c in &self.checks {
                let p = r.points.iter().find(|(id, _)| *id == c.id).map(|(_, p)| *p);
                out.push(',');
                if let Some(p) = p {
                    out.push_str(&p.to_string());
                }
            }
            out.push_str(&format!(
                ",{:.1},{},{}\n",
                r.duration_s,
                csv_field(r.error.as_deref().unwrap_or("")),
                csv_field(&r.notes.join("; "))
            ));
        }
        out
    }

    /// `{lab, course, graded_at, lab_digest, students: [...], checks: [{…, pass_rate}]}`.
    pub fn json(&self) -> String {
        let rates = self.pass_rates();
        let doc = serde_json::json!({
            "gradebook_version": GRADEBOOK_VERSION,
            "lab": self.lab,
            "course": self.course,
            "graded_at": self.graded_at,
            "lab_digest": self.lab_digest,
            "students": self.rows.iter().map(|r| serde_json::json!({
                "student": r.student,
                "status": r.status,
                "score": r.score,
                "max_score": r.max_score,
                "duration_s": r.duration_s,
                "phases_s": r.phases.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
                "engine": r.engine,
                "error": r.error,
                "notes": r.notes,
                "tests": r.report.as_ref().map(|rep| rep["tests"].clone()).unwrap_or(serde_json::json!([])),
            })).collect::<Vec<_>>(),
            "checks": self.checks.iter().map(|c| serde_json::json!({
                "id": c.id,
                "title": c.title,
                "points": c.points,
                "pass_rate": rates.iter().find(|(id, _)| *id == c.id).map(|(_, r)| *r).unwrap_or(0.0),
            })).collect::<Vec<_>>(),
        });
        format!("{doc:#}\n")
    }

    /// One test suite per student; a student whose submission could not be graded is a
    /// suite with one erroring case that says why.
    pub fn junit(&self) -> String {
        use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};
        let mut report = Junit::new(format!("lab grade {}", self.lab));
        for r in &self.rows {
            let mut suite = TestSuite::new(r.student.clone());
            match (&r.error, &r.report) {
                (Some(_), _) | (None, None) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(r.error.clone().unwrap_or_else(|| "not graded".into()));
                    suite.add_test_case(TestCase::new("submission", s));
                }
                (None, Some(rep)) => {
                    for t in rep["tests"].as_array().into_iter().flatten() {
                        let name = t["id"].as_str().unwrap_or_default().to_string();
                        let message = t["message"].as_str().unwrap_or_default().to_string();
                        let status = match t["status"].as_str() {
                            Some("pass") => TestCaseStatus::success(),
                            Some("blocked") => {
                                let mut s = TestCaseStatus::skipped();
                                s.set_message(message);
                                s
                            }
                            Some("error") => {
                                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                                s.set_message(message);
                                s
                            }
                            _ => {
                                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                                s.set_message(message);
                                s
                            }
                        };
                        let mut case = TestCase::new(name, status);
                        case.set_classname(format!("{}.{}", self.lab, r.student));
                        case.extra.insert(
                            "points".into(),
                            format!(
                                "{}/{}",
                                t["points"].as_u64().unwrap_or(0),
                                t["max_points"].as_u64().unwrap_or(0)
                            )
                            .into(),
                        );
                        suite.add_test_case(case);
                    }
                }
            }
            report.add_test_suite(suite);
        }
        report
            .to_string()
            .unwrap_or_else(|e| format!("<!-- could not write JUnit: {e} -->\n"))
    }
}

/// A CSV field, quoted when it must be (RFC 4180). Text a spreadsheet would take for a
/// formula (a student's folder named `=HYPERLINK(…)`) is kept as text by a leading `'`.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Gradescope's `results.json`: `score`, and `tests[]` with `name`, `score`, `max_score`,
/// `status`, `output`, `visibility`.
pub fn gradescope(report: &Report) -> String {
    let doc = serde_json::json!({
        "score": report.score,
        "max_score": report.max_score,
        "tests": report.checks.iter().map(|c| serde_json::json!({
            "name": c.title,
            "number": c.id,
            "score": c.points,
            "max_score": c.max_points,
            "status": if c.status == Status::Pass { "passed" } else { "failed" },
            "output": match (&c.status, &c.hint) {
                (Status::Pass, _) => c.message.clone(),
                (_, Some(h)) => format!("{}\nhint: {h}", c.message),
                (_, None) => c.message.clone(),
            },
            "visibility": "visible",
        })).collect::<Vec<_>>(),
    });
    format!("{doc:#}\n")
}

/// GitHub Classroom's grading reporter input: base64 of
/// `{"version":1,"status","max_score","tests":[{"name","status","score","message",
/// "test_code","filename","line_no","duration"}]}`.
pub fn classroom_result(report: &Report, file: &str) -> String {
    use base64::Engine as _;
    let doc = serde_json::json!({
        "version": 1,
        "status": if report.status == Status::Pass { "pass" } else { "fail" },
        "max_score": report.max_score,
        "tests": report.checks.iter().map(|c| serde_json::json!({
            "name": c.title,
            "status": if c.status == Status::Pass { "pass" } else { "fail" },
            "score": c.points,
            "message": if c.status == Status::Pass { String::new() } else { c.message.clone() },
            "test_code": c.id,
            "filename": file,
            "line_no": 0,
            "duration": c.duration.as_millis() as u64,
        })).collect::<Vec<_>>(),
    });
    base64::engine::general_purpose::STANDARD.encode(doc.to_string())
}

/// GitHub Classroom's `result` for a submission that could not be graded: no points, and
/// the reason where the reporter shows test messages.
pub fn classroom_error(why: &str, max_score: u32) -> String {
    use base64::Engine as _;
    let doc = serde_json::json!({
        "version": 1,
        "status": "error",
        "max_score": max_score,
        "tests": [{
            "name": "submission",
            "status": "error",
            "score": 0,
            "message": why,
            "test_code": "",
            "filename": "",
            "line_no": 0,
            "duration": 0,
        }],
    });
    base64::engine::general_purpose::STANDARD.encode(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    /// A cell a spreadsheet would run as a formula stays text; quoting still applies.
    #[test]
    fn a_formula_stays_text() {
        assert_eq!(csv_field("ada"), "ada");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
    }
}
