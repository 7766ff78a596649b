use super::*;

#[test]
fn tags() {
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

/// A stand-in for the engine on a loopback port: the volume `pgdata` exists, no
/// other does, a volume create answers with the name it was given, a container create
/// with the id `c1`; the container `teacher` binds the host's `/`, `plain` has a volume.
async fn fake_engine() -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let host = format!("tcp://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = hyper::service::service_fn(|req: Request<Incoming>| async move {
                let path = request::api_path(req.uri().path());
                let body = req.into_body().collect().await?.to_bytes();
                let (status, answer) = match path.as_str() {
                    "/volumes/pgdata" => (200, r#"{"Name":"pgdata"}"#.to_string()),
                    "/containers/teacher/json" => (
                        200,
                        r#"{"Name":"/teacher","HostConfig":{"Binds":["/:/host"]},"Mounts":[{"Type":"bind","Source":"/","Destination":"/host"}]}"#
                            .to_string(),
                    ),
                    "/containers/plain/json" => (
                        200,
                        r#"{"Name":"/plain","HostConfig":{"Binds":["x:/x"],"VolumesFrom":["ghost"]},"Mounts":[{"Type":"volume","Name":"x","Source":"/var/lib/docker/volumes/x/_data"}]}"#
                            .to_string(),
                    ),
                    // As if a folder of c1's had become a link to / since its create.
                    "/containers/c1/json" | "/containers/labapp/json" => (
                        200,
                        format!(
                            r#"{{"Id":"{}","HostConfig":{{"Binds":["/:/host"],"MaskedPaths":["/proc/kcore"]}}}}"#,
                            path.trim_start_matches("/containers/").trim_end_matches("/json")
                        ),
                    ),
                    "/containers/broken/json" => (500, r#"{"message":"boom"}"#.to_string()),
                    p if p.ends_with("/start") || p.ends_with("/restart") => {
                        (204, String::new())
                    }
                    "/containers/create" => (201, r#"{"Id":"c1"}"#.to_string()),
                    "/volumes/create" => {
                        let v: serde_json::Value =
                            serde_json::from_slice(&body).unwrap_or_default();
                        let name = request::fields(&v, "Name")
                            .find_map(serde_json::Value::as_str)
                            .unwrap_or("anonymous");
                        (201, serde_json::json!({ "Name": name }).to_string())
                    }
                    _ => (404, r#"{"message":"not found"}"#.to_string()),
                };
                let mut r = Response::new(full(answer));
                *r.status_mut() = StatusCode::from_u16(status).unwrap();
                Ok::<_, hyper::Error>(r)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    host
}

async fn send(guard: &Guard, path: &str, body: &'static str) -> StatusCode {
    let req = Request::post(path)
        .header(hyper::header::HOST, "docker")
        .body(full(body))
        .unwrap();
    let mut sender = connect(guard.host()).await.unwrap();
    sender.send_request(req).await.unwrap().status()
}

async fn guard() -> (Guard, tempfile::TempDir) {
    let ws = tempfile::tempdir().unwrap();
    let engine = fake_engine().await;
    let guard = listen_on(&engine, Some(ws.path().into())).await.unwrap();
    (guard, ws)
}

#[tokio::test]
async fn the_guard_judges_what_the_engine_will_read() {
    let (guard, _ws) = guard().await;
    let privileged = r#"{"Image":"alpine","HostConfig":{"Privileged":true}}"#;
    let refusals = [
        ("/v1.41/containers/%63reate", privileged),
        (
            "/containers/create",
            r#"{"hostconfig":{"privileged":true}}"#,
        ),
        (
            "/containers/create",
            r#"{"HostConfig":{"Privileged":true}} x"#,
        ),
        ("/containers/create", "not json"),
    ];
    for (path, body) in refusals {
        assert_eq!(send(&guard, path, body).await, 403, "{path} {body}");
    }
    assert_eq!(guard.ledger().refused.len(), refusals.len());
    // No body at all, as a bare API call sends: passes.
    assert_eq!(send(&guard, "/volumes/create", "").await, 201);
    assert_eq!(guard.ledger().volumes, ["anonymous"]);
}

#[tokio::test]
async fn a_volume_that_was_there_is_not_the_scripts() {
    let (guard, _ws) = guard().await;
    // The teacher's, with data: the create succeeds, but it is not the script's to remove.
    let pgdata = r#"{"Name":"pgdata","Driver":"local"}"#;
    assert_eq!(send(&guard, "/v1.41/volumes/create", pgdata).await, 201);
    assert_eq!(
        send(&guard, "/volumes/create", r#"{"name":"fresh"}"#).await,
        201
    );
    assert_eq!(guard.ledger().volumes, ["fresh"]);
}

#[tokio::test]
async fn volumes_a_container_create_makes_are_the_scripts() {
    let (guard, _ws) = guard().await;
    let run = r#"{"Image":"busybox","HostConfig":{
        "Binds":["pgdata:/var/lib/data","fresh:/x"],
        "Mounts":[{"Type":"volume","Source":"cache","Target":"/c"}]}}"#;
    assert_eq!(send(&guard, "/v1.41/containers/create", run).await, 201);
    let ledger = guard.ledger();
    assert_eq!(ledger.containers, ["c1"]);
    // pgdata was there (the teacher's): not the script's.
    assert_eq!(ledger.volumes, ["cache", "fresh"]);
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

#[tokio::test]
async fn host_folders_come_neither_from_another_container_nor_at_start() {
    let (guard, _ws) = guard().await;
    let from = |who: &'static str| match who {
        "teacher" => r#"{"Image":"busybox","HostConfig":{"VolumesFrom":["teacher:ro"]}}"#,
        "plain" => r#"{"Image":"busybox","HostConfig":{"VolumesFrom":["plain"]}}"#,
        _ => r#"{"Image":"busybox","hostconfig":{"volumesfrom":"ghost"}}"#,
    };
    assert_eq!(
        send(&guard, "/containers/create", from("teacher")).await,
        403
    );
    assert_eq!(send(&guard, "/containers/create", from("plain")).await, 201);
    // Not there: the engine says so itself.
    assert_eq!(send(&guard, "/containers/create", from("ghost")).await, 201);
    // Its name as the engine keeps it, with a leading /; one the engine cannot show.
    let slash = r#"{"Image":"busybox","HostConfig":{"VolumesFrom":["/teacher"]}}"#;
    assert_eq!(send(&guard, "/containers/create", slash).await, 403);
    let broken = r#"{"Image":"busybox","HostConfig":{"VolumesFrom":["broken"]}}"#;
    assert_eq!(send(&guard, "/containers/create", broken).await, 403);
    // An old API's start with host settings, or another container's, under any name.
    let old = r#"{"Binds":["/:/host"]}"#;
    assert_eq!(send(&guard, "/v1.23/containers/x/y/start", old).await, 403);
    let from = r#"{"VolumesFrom":["teacher"]}"#;
    assert_eq!(
        send(&guard, "/v1.23/containers/labapp/start", from).await,
        403
    );
    assert_eq!(
        send(&guard, "/v1.41/containers/labapp/start", "").await,
        204
    );
    let refused = guard.ledger().refused;
    assert_eq!(refused.len(), 5, "{refused:?}");
    assert!(refused[0].contains("--volumes-from teacher"), "{refused:?}");
    assert!(refused[1].contains("--volumes-from teacher"), "{refused:?}");
    assert!(refused[2].contains("could not be looked at"), "{refused:?}");
}

#[tokio::test]
async fn a_scripts_container_is_judged_again_at_start() {
    let (guard, _ws) = guard().await;
    // The create passed (its bind was in the workspace then); the fake engine answers
    // c1's inspect as if that folder had become a link to / since.
    assert_eq!(
        send(&guard, "/containers/create", r#"{"Image":"busybox"}"#).await,
        201
    );
    // c1 is the script's: its binds as the engine sees them now are judged.
    assert_eq!(send(&guard, "/containers/c1/start", "").await, 403);
    assert_eq!(send(&guard, "/containers/c1/restart", "").await, 403);
    // The lab's own container is not the script's to judge (its binds are the lab's).
    assert_eq!(send(&guard, "/containers/labapp/start", "").await, 204);
    assert_eq!(send(&guard, "/containers/labapp/restart", "").await, 204);
    let refused = guard.ledger().refused;
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].contains("outside the submission's workspace"),
        "{refused:?}"
    );
}
