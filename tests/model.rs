//! The example course (tests/fixtures/example) loads into the model we expect: every
//! field of the stack and every check kind, typed.

use std::path::Path;

use lab::course::{LoadOptions, load_course};

fn example() -> lab::model::Course {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example");
    load_course(&root, &LoadOptions::default())
        .unwrap_or_else(|d| panic!("example course has errors:\n{d}"))
}

#[test]
fn example_course_model() {
    insta::assert_yaml_snapshot!(example());
}

#[test]
fn every_check_kind_is_exercised() {
    let course = example();
    let kinds: std::collections::BTreeSet<&str> = course
        .labs
        .iter()
        .flat_map(|l| l.checks.iter().map(|c| c.kind.name()))
        .collect();
    assert_eq!(
        kinds.len(),
        lab::model::KindTag::all().count(),
        "kinds used: {kinds:?}"
    );
}

#[test]
fn merge_keys_and_extensions_apply() {
    let course = example();
    let stack = course
        .lab("services")
        .and_then(|l| l.stack.as_ref())
        .expect("stack");
    let app = stack.service("app").expect("app");
    assert_eq!(app.restart, Some(lab::model::RestartPolicy::UnlessStopped));
}

#[test]
fn checks_belong_to_their_tasks() {
    let course = example();
    let basics = course.lab("basics").expect("basics");
    let first = &basics.checks[0];
    assert_eq!((first.id.as_str(), first.task), ("engine-answers", None));
    let last = basics.checks.last().expect("checks");
    assert_eq!(last.task, Some(2));
}
