//! Every mistake an author can make gets an error at its exact place (file:line:col).
//! One snapshot per malformed input; each shows the headline and the snippet.

use std::path::Path;

use lab::course::{LoadOptions, load_course};

const STACK_OK: &str = "```yaml stack\nservices:\n  web:\n    image: busybox:1.36\n```\n";

/// Write a course with one lab `bad` (or the given course.yaml) and render its diagnostics.
fn lint(course_yaml: &str, readme: &str) -> String {
    lint_with(course_yaml, readme, LoadOptions::default())
}

fn lint_with(course_yaml: &str, readme: &str, opts: LoadOptions) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("labs/bad")).expect("mkdir");
    std::fs::write(root.join("labs/course.yaml"), course_yaml).expect("write course");
    std::fs::write(root.join("labs/bad/README.md"), readme).expect("write lab");
    render(root, opts)
}

fn render(root: &Path, opts: LoadOptions) -> String {
    match load_course(root, &opts) {
        Ok(_) => "no errors".to_string(),
        Err(diags) => diags.render(root, false),
    }
}

const COURSE: &str = "format_version: 1\ntitle: T\nlabs: [bad]\n";

fn lab(body: &str) -> String {
    lint(
        COURSE,
        &format!("---\ntitle: Bad lab\n---\n\n# Bad\n\n{body}"),
    )
}

fn check(yaml: &str) -> String {
    lab(&format!(
        "{STACK_OK}\n## Task\n\n```yaml check\n{yaml}```\n"
    ))
}

fn stack(yaml: &str) -> String {
    lab(&format!("```yaml stack\n{yaml}```\n"))
}

macro_rules! case {
    ($name:ident, $expr:expr) => {
        #[test]
        fn $name() {
            let out = $expr;
            assert_ne!(out, "no errors", "expected a diagnostic");
            insta::assert_snapshot!(out);
        }
    };
}

// Front matter
case!(
    front_matter_unknown_key,
    lint(COURSE, "---\ntitle: X\ntimout: 5s\n---\n# X\n")
);
case!(
    front_matter_missing_title,
    lint(COURSE, "---\ntags: [a]\n---\n# X\n")
);
case!(
    front_matter_missing,
    lint(COURSE, "# Just markdown\n\nNo front matter.\n")
);
case!(front_matter_unclosed, lint(COURSE, "---\ntitle: X\n# X\n"));
case!(
    front_matter_bad_timeout,
    lint(COURSE, "---\ntitle: X\ntimeout: 10 seconds\n---\n")
);
case!(empty_lab, lint(COURSE, ""));

// Stack
case!(
    stack_unknown_service_key,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n    helthcheck:\n      test: [\"CMD\", \"true\"]\n"
    )
);
case!(
    stack_unsupported_compose_key,
    stack("services:\n  web:\n    image: busybox:1.36\n    secrets:\n      - db_password\n")
);
case!(
    stack_missing_image,
    stack("services:\n  web:\n    command: [\"true\"]\n")
);
case!(
    stack_depends_on_unknown,
    stack(
        "services:\n  web:\n    image: busybox:1.36\n    depends_on: [dbb]\n  db:\n    image: busybox:1.36\n"
    )
);
case!(
    stack_dependency_cycle,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    depends_on: [b]\n  b:\n    image: busybox:1.36\n    depends_on:\n      c: { condition: service_started }\n  c:\n    image: busybox:1.36\n    depends_on: [a]\n"
    )
);
case!(
    stack_bad_condition,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    depends_on:\n      b: { condition: service_healty }\n  b:\n    image: busybox:1.36\n"
    )
);
case!(
    stack_bad_duration,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 1x\n"
    )
);
case!(
    stack_bad_size,
    stack("services:\n  a:\n    image: busybox:1.36\n    mem_limit: 512q\n")
);
case!(
    stack_bad_port,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    ports: [\"8080\", \"99999:80\", \"8000-8010:80\"]\n"
    )
);
case!(stack_second_block, lab(&format!("{STACK_OK}\n{STACK_OK}")));
case!(
    stack_privileged,
    stack("services:\n  a:\n    image: busybox:1.36\n    privileged: true\n")
);
case!(
    stack_host_network,
    stack("services:\n  a:\n    image: busybox:1.36\n    network_mode: host\n")
);
case!(
    stack_host_pid,
    stack("services:\n  a:\n    image: busybox:1.36\n    pid: host\n")
);
case!(
    stack_bind_outside,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    volumes: [\"../../secrets:/secrets\", \"/etc:/host-etc:ro\"]\n"
    )
);
case!(
    stack_docker_socket,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n"
    )
);
case!(
    stack_undeclared_volume_and_network,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    volumes: [\"dta:/data\"]\n    networks: [frnt]\nnetworks:\n  front: {}\nvolumes:\n  data: {}\n"
    )
);
case!(
    stack_bad_restart,
    stack("services:\n  a:\n    image: busybox:1.36\n    restart: allways\n")
);
case!(
    stack_bad_healthcheck_test,
    stack(
        "services:\n  a:\n    image: busybox:1.36\n    healthcheck:\n      test: [\"wget\", \"-q\", \"localhost\"]\n"
    )
);
case!(stack_not_a_map, stack("- web\n- db\n"));
case!(
    stack_wrong_type,
    stack("services:\n  a:\n    image: [busybox]\n    read_only: maybe\n    cpus: lots\n")
);
case!(
    stack_bad_signal,
    stack("services:\n  a:\n    image: busybox:1.36\n    stop_signal: SIGSTOPP\n")
);
case!(
    stack_yaml_syntax_error,
    stack("services:\n  a:\n    image: busybox:1.36\n   command: [\"x\"\n")
);
case!(
    stack_top_level_unsupported,
    stack("name: myproject\nservices:\n  a:\n    image: busybox:1.36\nsecrets: {}\n")
);

// Checks
case!(
    check_missing_id,
    check("title: T\ncontainer: { service: web, state: running }\n")
);
case!(
    check_missing_title,
    check("id: a\ncontainer: { service: web, state: running }\n")
);
case!(check_no_kind, check("id: a\ntitle: T\npoints: 1\n"));
case!(
    check_two_kinds,
    check(
        "id: a\ntitle: T\ncontainer: { service: web, state: running }\nexec: { service: web, cmd: \"true\" }\n"
    )
);
case!(
    check_unknown_key,
    check("id: a\ntitle: T\nhnt: try harder\ncontainer: { service: web, state: running }\n")
);
case!(
    check_unknown_kind_field,
    check("id: a\ntitle: T\ncontainer: { service: web, helth: healthy }\n")
);
case!(
    check_duplicate_ids,
    lab(&format!(
        "{STACK_OK}\n```yaml check\nid: a\ntitle: T\ncontainer: {{ service: web, state: running }}\n```\n\n```yaml check\nid: a\ntitle: U\ncontainer: {{ service: web, state: exited }}\n```\n"
    ))
);
case!(
    check_unknown_service,
    check("id: a\ntitle: T\nexec: { service: wbe, cmd: \"true\" }\n")
);
// Kind answer (LAB_FORMAT §4.5)
case!(
    answer_no_expectation,
    check("id: a\ntitle: T\nanswer: { key: passphrase }\n")
);
case!(
    answer_two_expectations,
    check("id: a\ntitle: T\nanswer: { key: passphrase, equals: x, sha256: \"ab\" }\n")
);
case!(
    answer_missing_key,
    check("id: a\ntitle: T\nanswer: { equals: copper-kettle }\n")
);
case!(
    answer_key_with_colon,
    check("id: a\ntitle: T\nanswer: { key: \"pass: phrase\", equals: x }\n")
);
case!(
    answer_misspelt_field,
    check("id: a\ntitle: T\nanswer: { key: passphrase, equal: copper-kettle }\n")
);
case!(
    answer_prefix_without_inspect,
    check("id: a\ntitle: T\nanswer: { key: id, equals: abc, prefix: 12 }\n")
);
case!(
    answer_prefix_outside_inspect,
    check(
        "id: a\ntitle: T\nanswer:\n  key: id\n  inspect: { service: web, path: /Id }\n  prefix: 12\n"
    )
);
case!(
    answer_invalid_regex,
    check("id: a\ntitle: T\nanswer: { key: version, matches: \"v(1\" }\n")
);
case!(
    answer_bad_sha256,
    check("id: a\ntitle: T\nanswer: { key: passphrase, sha256: [copper-kettle] }\n")
);
case!(
    answer_empty_equals,
    check("id: a\ntitle: T\nanswer: { key: passphrase, equals: [] }\n")
);
case!(
    answer_pointer_without_slash,
    check("id: a\ntitle: T\nanswer: { key: id, inspect: { service: web, path: Id } }\n")
);
case!(
    answer_inspect_nothing_to_look_at,
    check("id: a\ntitle: T\nanswer: { key: id, inspect: { path: /Id } }\n")
);
case!(
    answer_inspect_engine_and_container,
    check(
        "id: a\ntitle: T\nanswer: { key: k, inspect: { engine: true, container: x, path: /KernelVersion } }\n"
    )
);
case!(
    answer_inspect_unknown_service,
    check(
        "id: a\ntitle: T\nanswer: { key: id, inspect: { service: wbe, path: /Id, prefix: 12 } }\n"
    )
);
case!(
    answer_inspect_bad_prefix,
    check(
        "id: a\ntitle: T\nanswer: { key: id, inspect: { container: x, path: /Id, prefix: 0 } }\n"
    )
);
// Kind dockerfile (LAB_FORMAT §4.6)
case!(
    dockerfile_missing_path,
    check("id: a\ntitle: T\ndockerfile: { from: busybox:1.36 }\n")
);
case!(
    dockerfile_asks_nothing,
    check("id: a\ntitle: T\ndockerfile: { path: greeter/Dockerfile }\n")
);
case!(
    dockerfile_bad_port,
    check("id: a\ntitle: T\ndockerfile: { path: Dockerfile, expose: [http] }\n")
);
case!(
    dockerfile_misspelt_field,
    check("id: a\ntitle: T\ndockerfile: { path: Dockerfile, healthchek: true }\n")
);
case!(
    dockerfile_bad_from,
    check("id: a\ntitle: T\ndockerfile: { path: Dockerfile, from: \"busybox 1.36\" }\n")
);
case!(
    check_service_without_stack,
    lab("```yaml check\nid: a\ntitle: T\ncontainer: { service: web, state: running }\n```\n")
);
case!(
    check_invalid_regex,
    check(
        "id: a\ntitle: T\nexec: { service: web, cmd: \"true\", stdout: { matches: \"(unclosed\" } }\n"
    )
);
case!(
    check_bad_id,
    check("id: Web_Healthy\ntitle: T\ncontainer: { service: web, state: running }\n")
);
case!(
    check_unknown_matcher,
    check("id: a\ntitle: T\nexec: { service: web, cmd: \"true\", stdout: { containz: x } }\n")
);
case!(
    check_unknown_action,
    check(
        "id: a\ntitle: T\nbefore: [{ restrat: web }]\ncontainer: { service: web, state: running }\n"
    )
);
case!(
    check_bad_signal,
    check(
        "id: a\ntitle: T\nbefore: [{ kill: { service: web, signal: SIGFOO } }]\ncontainer: { service: web, state: running }\n"
    )
);
case!(
    check_bad_state,
    check("id: a\ntitle: T\ncontainer: { service: web, state: runing }\n")
);
case!(
    check_expect_bad_step,
    check(
        "id: a\ntitle: T\nexpect:\n  service: web\n  steps:\n    - send: \"ls\\n\"\n      expect: x\n    - sned: y\n"
    )
);
case!(
    check_http_without_target,
    check("id: a\ntitle: T\nhttp: { path: / }\n")
);
case!(
    check_http_https_refused,
    check("id: a\ntitle: T\nhttp: { url: \"https://localhost:8443/\" }\n")
);
case!(
    check_from_unknown_service,
    check("id: a\ntitle: T\ndns: { name: web, from: client }\n")
);
case!(check_empty_block, check(""));
case!(
    check_misspelt_role,
    lab(&format!("{STACK_OK}\n```yaml chek\nid: a\n```\n"))
);
case!(
    check_negative_points,
    check("id: a\ntitle: T\npoints: -1\ncontainer: { service: web, state: running }\n")
);

// course.yaml
case!(
    course_missing_lab,
    lint(
        "format_version: 1\ntitle: T\nlabs: [bad, week9]\n",
        "---\ntitle: B\n---\n"
    )
);
case!(
    course_newer_format,
    lint(
        "format_version: 2\ntitle: T\nlabs: [bad]\n",
        "---\ntitle: B\n---\n"
    )
);
case!(
    course_unknown_key,
    lint(
        "format_version: 1\ntitle: T\nlabz: [bad]\n",
        "---\ntitle: B\n---\n"
    )
);
case!(
    course_requires_unknown_lab,
    lint(COURSE, "---\ntitle: B\nrequires: [week0]\n---\n")
);
case!(course_empty, lint("", "---\ntitle: B\n---\n"));

// Hostile input: each gives a clear error quickly, nothing panics.
case!(invalid_utf8, {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("labs/bad")).expect("mkdir");
    std::fs::write(dir.path().join("labs/course.yaml"), COURSE).expect("write");
    std::fs::write(
        dir.path().join("labs/bad/README.md"),
        b"---\ntitle: ok\n---\n\nbad \xff\xfe here\n",
    )
    .expect("write");
    render(dir.path(), LoadOptions::default())
});
case!(alias_bomb, {
    let mut y = String::from("x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..15 {
        let p = i - 1;
        y.push_str(&format!(
            "x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    y.push_str("services:\n  a:\n    image: busybox:1.36\n");
    stack(&y)
});
#[test]
fn deep_nesting() {
    let out = stack(&format!(
        "services: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    ));
    let headline = out.lines().next().unwrap_or_default();
    insta::assert_snapshot!(headline);
    let mut block = String::from("services:\n");
    for i in 1..200 {
        block.push_str(&format!("{}a:\n", "  ".repeat(i)));
    }
    let out = stack(&block);
    assert!(out.starts_with("labs/bad/README.md:"), "{out}");
}
case!(huge_lab, {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("labs/bad")).expect("mkdir");
    std::fs::write(dir.path().join("labs/course.yaml"), COURSE).expect("write");
    let mut text = String::from("---\ntitle: Big\n---\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("All work and no play makes a very long lab indeed.\n");
    }
    std::fs::write(dir.path().join("labs/bad/README.md"), text).expect("write");
    render(dir.path(), LoadOptions::default())
});

#[test]
fn allow_unsafe_lifts_the_policy() {
    let text = "---\ntitle: X\n---\n```yaml stack\nservices:\n  a:\n    image: busybox:1.36\n    privileged: true\n    pid: host\n    network_mode: host\n    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n```\n";
    assert_ne!(lint(COURSE, text), "no errors");
    assert_eq!(
        lint_with(COURSE, text, LoadOptions { allow_unsafe: true }),
        "no errors"
    );
}

#[test]
fn all_mistakes_of_a_file_are_reported_at_once() {
    let out = stack(
        "services:\n  a:\n    image: busybox:1.36\n    helthcheck: {}\n    mem_limit: 1q\n  b:\n    depends_on: [zz]\n",
    );
    assert!(out.matches("labs/bad/README.md:").count() >= 4, "{out}");
}

#[test]
fn indented_blocks_keep_their_columns() {
    let text = "---\ntitle: X\n---\n\n- step one\n\n  ```yaml check\n  id: a\n  title: T\n  containr: { container: x }\n  ```\n";
    let out = lint(COURSE, text);
    assert!(
        out.starts_with("labs/bad/README.md:10:3: unknown key \"containr\""),
        "{out}"
    );
}

/// What `lab lint` shows for a lab: errors and warnings.
fn linted(readme: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("labs/bad")).expect("mkdir");
    std::fs::write(root.join("labs/course.yaml"), COURSE).expect("write course");
    std::fs::write(root.join("labs/bad/README.md"), readme).expect("write lab");
    let (_, diags) = lab::course::load_course_linted(root, &LoadOptions::default());
    diags.render(root, false)
}

#[test]
fn an_expect_step_that_outwaits_its_check_is_a_warning() {
    let expect = |check_timeout: &str| {
        format!(
            "```yaml check\nid: wizard\ntitle: T\n{check_timeout}expect:\n  service: web\n  steps:\n    - send: \"go\"\n    - expect: done\n      timeout: 30s\n```\n"
        )
    };
    let lab = |front: &str, check: &str| {
        format!("---\ntitle: X\n{front}---\n\n{STACK_OK}\n## Task\n\n{check}")
    };
    // The check gets the default 10 s: the step's 30 s are cut; lint says so, and the lab
    // still loads (a warning).
    let text = lab("", &expect(""));
    let out = linted(&text);
    insta::assert_snapshot!(out);
    assert_eq!(lint(COURSE, &text), "no errors");
    // A check's own timeout, or the lab's, that covers the step: nothing to say.
    assert_eq!(linted(&lab("", &expect("timeout: 30s\n"))), "");
    assert_eq!(linted(&lab("timeout: 1m\n", &expect(""))), "");
    // The lab's is not enough when the check's own is shorter.
    assert!(linted(&lab("timeout: 1m\n", &expect("timeout: 20s\n"))).contains("warning"));
    // One check's timeout is its own: the next check has the lab's again.
    let two = format!(
        "{}\n{}",
        expect("timeout: 1m\n"),
        expect("").replace("wizard", "again")
    );
    let out = linted(&lab("", &two));
    assert_eq!(out.matches("warning").count(), 1, "{out}");
    assert!(out.contains("README.md:33:16: warning"), "{out}");
    // A send does not wait: its timeout is not cut.
    let send = expect("").replace(
        "    - send: \"go\"\n",
        "    - send: \"go\"\n      timeout: 1m\n",
    );
    assert_eq!(linted(&lab("", &send)).matches("warning").count(), 1);
}
