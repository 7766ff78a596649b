//! `http` and `tcp` from the host on servers students write: a busybox `nc` server that
//! answers before it reads the request, a virtual host asked for by its Host header, a
//! header sent twice, and a published port with nothing listening behind it (the engine's
//! proxy accepts the connection, then closes it).

mod support;

use lab::checks::Status;
use support::checks::{assert_statuses, run_on_engine, test_lab};
use support::{IMAGE, Project};

const STACK: &str = "```yaml stack\nservices:\n  early: { image: busybox:1.36 }\n  early0: { image: busybox:1.36 }\n  early1: { image: busybox:1.36 }\n  early2: { image: busybox:1.36 }\n  early3: { image: busybox:1.36 }\n  early4: { image: busybox:1.36 }\n  early5: { image: busybox:1.36 }\n  vhost: { image: busybox:1.36 }\n  deaf: { image: busybox:1.36 }\n  inside: { image: busybox:1.36 }\n  curt: { image: busybox:1.36 }\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_students_write_are_heard_as_curl_hears_them() {
    let p = Project::new("httptcp");
    // Answers the moment a connection opens, without reading it (a classic nc server).
    let early = "exec nc -ll -p 8080 -e sh -c \"printf 'HTTP/1.0 200 OK\\r\\nSet-Cookie: lang=en\\r\\nSet-Cookie: session=abc\\r\\n\\r\\n<h1>hello nc</h1>'\"";
    p.run("early", &["-p", "8080", IMAGE, "sh", "-c", early]);
    // The same fed by printf: nc sends it as soon as it accepts, one connection at a time,
    // so each is asked once (hyper's client lost such an answer about half the time).
    let fed = "while true; do printf 'HTTP/1.0 200 OK\\r\\n\\r\\n<h1>hello nc</h1>' | nc -l -p 8080; done";
    for i in 0..6 {
        p.run(
            &format!("early{i}"),
            &["-p", "8080", IMAGE, "sh", "-c", fed],
        );
    }
    // Says which Host headers it was sent.
    let vhost = "exec nc -ll -p 8080 -e sh -c 'h=; while read -r l; do l=$(printf %s \"$l\" | tr -d \"\\r\"); [ -z \"$l\" ] && break; case \"$l\" in [Hh][Oo][Ss][Tt]:*) h=\"$h[$l]\";; esac; done; printf \"HTTP/1.0 200 OK\\r\\n\\r\\nhosts=%s\\n\" \"$h\"'";
    p.run("vhost", &["-p", "8080", IMAGE, "sh", "-c", vhost]);
    // Publishes 8080; nothing listens on it.
    p.run("deaf", &["-p", "8080", IMAGE, "sleep", "3600"]);
    // Listens on 8080 of its own loopback only: unreachable through the published port.
    p.run(
        "inside",
        &["-p", "8080", IMAGE, "httpd", "-f", "-p", "127.0.0.1:8080"],
    );
    // Listens, and closes each connection at once without a word.
    p.run(
        "curt",
        &["-p", "8080", IMAGE, "nc", "-ll", "-p", "8080", "-e", "true"],
    );
    let mut checks: Vec<String> = (0..6)
        .map(|i| format!("id: early-{i}\ntitle: a\nhttp: {{ service: early{i}, port: 8080, body: \"hello nc\" }}"))
        .collect();
    checks.extend([
        "id: both-cookies\ntitle: b\nhttp: { service: early, port: 8080, header: { Set-Cookie: { contains: \"session=abc\" } } }".to_string(),
        "id: vhost\ntitle: c\neventually: 5s\nhttp: { service: vhost, port: 8080, headers: { Host: shop.local }, body: { matches: \"(?m)^hosts=\\\\[Host: shop.local\\\\]$\" } }".to_string(),
        "id: deaf-open\ntitle: d\ntcp: { service: deaf, port: 8080 }".to_string(),
        "id: deaf-closed\ntitle: e\ntcp: { service: deaf, port: 8080, open: false }".to_string(),
        "id: inside-open\ntitle: f\ntcp: { service: inside, port: 8080 }".to_string(),
        "id: inside-http\ntitle: g\nhttp: { service: inside, port: 8080 }".to_string(),
        "id: vhost-open\ntitle: h\neventually: 5s\ntcp: { service: vhost, port: 8080 }".to_string(),
        "id: curt-open\ntitle: i\neventually: 5s\ntcp: { service: curt, port: 8080 }".to_string(),
    ]);
    // The servers are up before anything is judged.
    for i in 0..6 {
        let name = format!("{}-early{i}", p.name);
        assert!(
            support::exec_succeeds_soon(&name, &["pidof", "nc"]),
            "{name} did not start"
        );
    }
    assert!(
        support::exec_succeeds_soon(
            &format!("{}-vhost", p.name),
            &["sh", "-c", "echo | nc -w 1 127.0.0.1 8080"]
        ),
        "the vhost server did not start"
    );
    let lab = test_lab(STACK, &checks);
    let ws = support::workspace();
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    let mut want: Vec<(String, Status)> = (0..6)
        .map(|i| (format!("early-{i}"), Status::Pass))
        .collect();
    want.extend(
        [
            ("both-cookies", Status::Pass),
            ("vhost", Status::Pass),
            ("deaf-open", Status::Fail),
            ("deaf-closed", Status::Pass),
            ("inside-open", Status::Fail),
            ("inside-http", Status::Fail),
            ("vhost-open", Status::Pass),
            ("curt-open", Status::Pass),
        ]
        .map(|(id, s)| (id.to_string(), s)),
    );
    assert_statuses(&results, &want);
}
