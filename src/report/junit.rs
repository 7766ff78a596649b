//! JUnit XML (quick-junit): one testsuite per task, one testcase per check.

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::checks::Status;

pub fn render(r: &Report) -> String {
    let mut report = Junit::new(format!("lab {}", r.lab));
    report.set_time(r.duration);
    for (task, checks) in r.by_task() {
        let name = match task {
            Some(t) => format!("{} / Task {}: {}", r.lab, t.number, t.title),
            None => format!("{} / lab", r.lab),
        };
        let mut suite = TestSuite::new(name);
        for c in checks {
            let status = match c.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(c.message.clone());
                    s.set_type("fail");
                    if let Some(h) = &c.hint {
                        s.set_description(format!("hint: {h}"));
                    }
                    s
                }
                Status::Blocked => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(c.message.clone());
                    s.set_type("blocked");
                    s
                }
                Status::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(c.message.clone());
                    s.set_type("error");
                    s
                }
            };
            let mut case = TestCase::new(c.id.clone(), status);
            case.set_classname(format!("{}.{}", r.lab, c.id));
            case.set_time(c.duration);
            case.extra.insert("title".into(), c.title.clone().into());
            case.extra.insert(
                "points".into(),
                format!("{}/{}", c.points, c.max_points).into(),
            );
            if !c.evidence.is_empty() {
                case.set_system_out(c.evidence.clone());
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- could not write JUnit: {e} -->\n"))
}
