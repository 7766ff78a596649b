//! Replicas (LAB_FORMAT §3, v1.1): what a stack may not ask of them, and `replica:` in
//! checks, each reported at its own line.

use lab::course::{LoadOptions, load_course};

fn lab(body: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("labs/bad")).expect("mkdir");
    std::fs::write(
        root.join("labs/course.yaml"),
        "format_version: 1\ntitle: T\nlabs: [bad]\n",
    )
    .expect("write course");
    std::fs::write(
        root.join("labs/bad/README.md"),
        format!("---\ntitle: Bad lab\n---\n\n# Bad\n\n{body}"),
    )
    .expect("write lab");
    match load_course(root, &LoadOptions::default()) {
        Ok(_) => "no errors".to_string(),
        Err(diags) => diags.render(root, false),
    }
}

fn stack(services: &str) -> String {
    lab(&format!("```yaml stack\nservices:\n{services}```\n"))
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

case!(
    replicas_with_a_container_name,
    stack(
        "  web:\n    image: busybox:1.36\n    container_name: web\n    deploy:\n      replicas: 3\n"
    )
);
case!(
    replicas_with_a_fixed_host_port,
    stack("  web:\n    image: busybox:1.36\n    scale: 2\n    ports: [\"8080:80\"]\n")
);
case!(
    replicas_scale_and_deploy_disagree,
    stack("  web:\n    image: busybox:1.36\n    scale: 2\n    deploy: { replicas: 3 }\n")
);
case!(
    replicas_zero,
    stack("  web:\n    image: busybox:1.36\n    scale: 0\n")
);
case!(
    deploy_placement_is_not_supported,
    stack(
        "  web:\n    image: busybox:1.36\n    deploy:\n      replicas: 2\n      placement: { constraints: [] }\n"
    )
);
case!(
    replica_with_a_container,
    lab(
        "```yaml stack\nservices:\n  web:\n    image: busybox:1.36\n    scale: 2\n```\n\n## T\n\n```yaml check\nid: c\ntitle: C\nexec: { container: x, replica: 2, cmd: \"true\" }\n```\n"
    )
);

#[test]
fn replicas_as_compose_writes_them_load() {
    let ok = stack(
        "  web:\n    image: busybox:1.36\n    ports: [\"80\"]\n    deploy:\n      replicas: 3\n  api:\n    image: busybox:1.36\n    scale: 2\n",
    );
    assert_eq!(ok, "no errors");
}

case!(
    replica_beyond_the_count,
    lab(
        "```yaml stack\nservices:\n  web:\n    image: busybox:1.36\n    scale: 2\n```\n\n## T\n\n```yaml check\nid: c\ntitle: C\nexec: { service: web, replica: 3, cmd: \"true\" }\n```\n"
    )
);
case!(
    replica_of_a_service_without_replicas,
    lab(
        "```yaml stack\nservices:\n  web:\n    image: busybox:1.36\n```\n\n## T\n\n```yaml check\nid: c\ntitle: C\nbefore: [{ stop: { service: web, replica: 1 } }]\ncontainer: { service: web, state: exited }\n```\n"
    )
);
