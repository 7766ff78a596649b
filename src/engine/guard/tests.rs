use super::*;

#[test]
fn paths_and_tags() {
    assert_eq!(api_path("/v1.41/containers/create"), "/containers/create");
    assert_eq!(api_path("/containers/json"), "/containers/json");
    assert_eq!(
        image_tags("/build", "t=week1-greeter%3A1.0&q=1"),
        ["week1-greeter:1.0"]
    );
    assert_eq!(image_tags("/build", "t=app"), ["app:latest"]);
    assert_eq!(
        image_tags("/images/busybox:1.36/tag", "repo=week4-app&tag=v1"),
        ["week4-app:v1"]
    );
    assert!(image_tags("/containers/create", "name=x").is_empty());
}

#[test]
fn an_image_two_scripts_built_is_held_until_both_guards_are_gone() {
    let ledger = |engine: &str| Ledger {
        engine: engine.into(),
        ..Ledger::default()
    };
    let id = format!("sha256:{}", "cd34".repeat(16));
    let (mut a, mut b, mut other) = (ledger("unix:///a"), ledger("unix:///a"), ledger("tcp://b"));
    a.built(id.clone());
    a.built(id.clone());
    b.built(id.clone());
    other.built(id.clone());
    assert_eq!(a.built, std::slice::from_ref(&id));
    a.release();
    assert!(held_on("unix:///a", &id), "b still holds it");
    b.release();
    assert!(!held_on("unix:///a", &id));
    // Another engine's guard holds its own copy only.
    assert!(held_on("tcp://b", &id));
    other.release();
    assert!(!held_on("tcp://b", &id));
}

#[test]
fn ids_in_a_build_output() {
    let id = format!("sha256:{}", "ab12".repeat(16));
    let aux = format!(r#"{{"aux":{{"ID":"{id}"}}}}"#);
    assert_eq!(built_id(aux.as_bytes(), false), Some(id.clone()));
    // `docker build -q`: the id alone, as the stream's only line.
    let quiet = format!("{{\"stream\":\"{id}\\n\"}}\r");
    assert_eq!(built_id(quiet.as_bytes(), true), Some(id.clone()));
    // Without -q the stream is what the build's steps print: never trusted.
    assert_eq!(built_id(quiet.as_bytes(), false), None);
    let buildkit = format!(r#"{{"id":"moby.image.id","aux":{{"ID":"{id}"}}}}"#);
    assert_eq!(built_id(buildkit.as_bytes(), false), Some(id.clone()));
    // BuildKit's trace is aux too, but not an id; progress lines are not ids.
    assert_eq!(
        built_id(br#"{"id":"moby.buildkit.trace","aux":"CgQ="}"#, true),
        None
    );
    assert_eq!(
        built_id(br#"{"stream":" ---> 10e74529a5b8\n"}"#, true),
        None
    );
    assert_eq!(built_id(br#"{"stream":"sha256:short\n"}"#, true), None);
    assert_eq!(built_id(b"not json", true), None);
}
