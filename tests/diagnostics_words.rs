//! Issue 15: lint's words. YAML syntax errors in plain words at the line that is wrong,
//! mistakes in merged anchors reported once, keys written one level too high, check keys
//! that are not kinds. One snapshot per input; each shows the headline and the snippet.

use lab::course::{LoadOptions, load_course};

/// A course with one lab `bad` whose body follows the front matter; its diagnostics.
fn lint(readme: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("labs/bad")).expect("mkdir");
    std::fs::write(
        root.join("labs/course.yaml"),
        "format_version: 1\ntitle: T\nlabs: [bad]\n",
    )
    .expect("write course");
    std::fs::write(root.join("labs/bad/README.md"), readme).expect("write lab");
    match load_course(root, &LoadOptions::default()) {
        Ok(_) => "no errors".to_string(),
        Err(diags) => diags.render(root, false),
    }
}

fn stack(yaml: &str) -> String {
    lint(&format!(
        "---\ntitle: Bad lab\n---\n\n```yaml stack\n{yaml}```\n"
    ))
}

fn check(yaml: &str) -> String {
    lint(&format!(
        "---\ntitle: Bad lab\n---\n\n```yaml stack\nservices:\n  web-a:\n    image: busybox:1.36\n  web-b:\n    image: busybox:1.36\n```\n\n## Task\n\n```yaml check\n{yaml}```\n"
    ))
}

/// No library, type or option name ever reaches the author.
fn plain(out: &str) -> &str {
    for word in [
        "DuplicateKeyPolicy",
        "Options",
        "saphyr",
        "serde",
        "block mapping",
        "budget",
    ] {
        assert!(!out.contains(word), "{word} leaked:\n{out}");
    }
    out
}

macro_rules! case {
    ($name:ident, $expr:expr) => {
        #[test]
        fn $name() {
            let out = $expr;
            assert_ne!(out, "no errors", "expected a diagnostic");
            insta::assert_snapshot!(plain(&out));
        }
    };
}

// The parser notices at `ports:` (line 9); the line that is off is `image:` above it.
case!(
    yaml_indent_blames_the_line_above,
    stack("services:\n  web:\n     image: busybox:1.36\n    ports: [\"8080\"]\n")
);
case!(
    yaml_indent_blames_the_line_itself,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n    ports: [\"8080\"]\n     command: [\"true\"]\n    user: nobody\n"
    )
);
case!(
    yaml_indent_of_a_service_name,
    stack("services:\n   web:\n    image: busybox:1.36\n  db:\n    image: busybox:1.36\n")
);
case!(
    yaml_duplicate_top_level_key,
    stack("services:\n  web:\n    image: busybox:1.36\nnetworks: {}\nnetworks: {}\n")
);
case!(
    yaml_duplicate_service_key,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n    networks: [a]\n    networks: [b]\nnetworks:\n  a: {}\n  b: {}\n"
    )
);
case!(
    yaml_colon_in_a_value,
    lint("---\ntitle: web: still answers\n---\n")
);
case!(
    yaml_tab_indent,
    stack("services:\n  web:\n\timage: busybox:1.36\n")
);
case!(
    yaml_unclosed_quote,
    stack("services:\n  web:\n    image: \"busybox:1.36\n    command: x\n")
);
case!(
    yaml_unclosed_list_before_next_key,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n    healthcheck:\n      test: [\"CMD\", \"true\"\n      interval: 1s\n"
    )
);
case!(
    yaml_list_item_among_keys,
    stack("services:\n  web:\n    image: busybox:1.36\n    - \"8080\"\n")
);
case!(
    yaml_unknown_alias,
    stack("services:\n  web:\n    image: *img\n")
);
case!(
    yaml_value_continues_on_an_indented_line,
    stack("services:\n  web:\n    image: busybox:1.36\n      ports: [\"8080\"]\n")
);
case!(
    yaml_indent_in_a_list_item,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n    volumes:\n      - type: tmpfs\n         target: /x\n"
    )
);
// Not a syntax error, but the same slip: `db:` with its keys at its own level.
case!(
    service_keys_not_indented,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n  db:\n  image: busybox:1.36\n  command: [\"true\"]\n"
    )
);

// A mistake in an anchor that two services merge: once, at the anchor's key.
case!(
    anchor_mistake_reported_once_at_the_anchor,
    stack(
        "x-common: &common\n  restart: allways\n  helthcheck: {}\nservices:\n  web:\n    <<: *common\n    image: busybox:1.36\n  db:\n    <<: *common\n    image: busybox:1.36\n"
    )
);

// Health check fields written at the service level.
case!(
    dedented_healthcheck_fields,
    stack(
        "services:\n  db:\n    image: busybox:1.36\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n    interval: 1s\n    timeout: 2s\n    retries: 3\n    start_period: 5s\n"
    )
);
case!(
    healthcheck_field_without_healthcheck,
    stack("services:\n  db:\n    image: busybox:1.36\n    interval: 1s\n")
);
case!(
    unknown_service_key_has_no_long_list,
    stack("services:\n  db:\n    image: busybox:1.36\n    frobnicate: 1\n")
);

// Check keys.
case!(
    check_nslookup_is_not_a_kind,
    check("id: a\ntitle: T\nnslookup: { name: web-a }\n")
);
case!(
    check_port_is_not_a_kind,
    check("id: a\ntitle: T\nport: 80\n")
);
case!(
    check_kind_field_at_the_top,
    check("id: a\ntitle: T\nstate: running\n")
);
case!(
    check_service_the_student_creates,
    check("id: a\ntitle: T\ncontainer: { service: web-c, state: running }\n")
);
case!(
    check_expect_misspelt_step_only,
    check("id: a\ntitle: T\nexpect:\n  service: web-a\n  steps:\n    - sned: x\n")
);
case!(
    check_mount_type_misspelt,
    check(
        "id: a\ntitle: T\ncontainer: { service: web-a, mounts: [{ path: /tmp, type: tmfps }] }\n"
    )
);

#[test]
fn bare_numbers_are_seconds() {
    let out = check(
        "id: a\ntitle: T\ntimeout: 10\nbefore: [{ sleep: 1 }]\ncontainer: { service: web-a, state: running }\n",
    );
    assert_eq!(out, "no errors");
}
