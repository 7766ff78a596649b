//! `http` with `from:` answers as from the host: the status and headers of the response to
//! the request itself, though busybox wget inside the container follows redirects; a page
//! wget cannot show (a redirect's, an error's) is an error when the check asks about it,
//! never a verdict.

mod support;

use lab::checks::Status;
use support::checks::{assert_statuses, run_on_engine, test_lab};
use support::{IMAGE, Project};

/// httpd on 8080 with a CGI that answers 301 to /index.html, and a client on the network.
fn web(p: &Project) {
    let net = p.network("net", &[]);
    let cgi = "mkdir -p /www/cgi-bin && echo hello > /www/index.html && \
               printf '#!/bin/sh\\necho \"Status: 301 Moved\"\\necho \"Location: /index.html\"\\necho\\necho moved\\n' > /www/cgi-bin/old && \
               chmod +x /www/cgi-bin/old && exec httpd -f -p 8080 -h /www";
    p.run(
        "web",
        &[
            "--network",
            &net,
            "--network-alias",
            "web",
            "-p",
            "8080",
            IMAGE,
            "sh",
            "-c",
            cgi,
        ],
    );
    p.run("client", &["--network", &net, IMAGE, "sleep", "300"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_seen_from_a_container_as_from_the_host() {
    let p = Project::new("httpfrom");
    web(&p);
    let checks = [
        // The same check from the host and from a container: the same verdict.
        "id: moved-host\ntitle: t\neventually: 5s\nhttp: { service: web, port: 8080, path: /cgi-bin/old, status: 301, header: { Location: /index.html } }",
        "id: moved-from\ntitle: t\neventually: 5s\nhttp: { service: web, port: 8080, path: /cgi-bin/old, from: client, status: 301, header: { Location: /index.html } }",
        "id: missing-from\ntitle: t\neventually: 5s\nhttp: { service: web, port: 8080, path: /missing, from: client, status: 404 }",
        // Pages wget does not show: not a fail for a correct page, an error that says why
        // (once the server answers: after moved-host).
        "id: moved-page-from\ntitle: t\nneeds: [moved-host]\nhttp: { service: web, port: 8080, path: /cgi-bin/old, from: client, status: 301, body: moved }",
        "id: missing-page-from\ntitle: t\nneeds: [moved-host]\nhttp: { service: web, port: 8080, path: /missing, from: client, status: 404, body: Found }",
        // A wrong status fails whatever the page: the status decides.
        "id: wrong-status-from\ntitle: t\nneeds: [moved-host]\nhttp: { service: web, port: 8080, path: /missing, from: client, body: hello }",
    ];
    let stack = "```yaml stack\nservices:\n  web: { image: busybox:1.36 }\n  client: { image: busybox:1.36 }\n```\n";
    let lab = test_lab(stack, &checks);
    let ws = support::workspace();
    let results = run_on_engine(&p.name, &lab, ws.path()).await;
    let want = [
        ("moved-host", Status::Pass),
        ("moved-from", Status::Pass),
        ("missing-from", Status::Pass),
        ("moved-page-from", Status::Error),
        ("missing-page-from", Status::Error),
        ("wrong-status-from", Status::Fail),
    ];
    assert_statuses(&results, &want);
    let why = &results[3].message;
    assert!(why.contains("follows redirects"), "{why}");
    let why = &results[4].message;
    assert!(why.contains("prints no page"), "{why}");
    let why = &results[5].message;
    assert!(why.contains("answer 200; it answered 404"), "{why}");
}
