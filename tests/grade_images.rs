//! An image the lab built that a submission took the tag from (`docker tag … <lab>-web:lab`
//! while the lab's container still ran it) gets its tag back once the submission's
//! containers are gone: the tag was on the engine before the submission, so the next
//! student starts from the lab's own image. Untagged images that are not the lab's are not
//! touched, even one that carries the lab's build label.

mod support;

use std::process::Command;

fn docker(args: &[&str]) -> (bool, String) {
    let o = Command::new("docker").args(args).output().expect("docker");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).trim().to_string(),
    )
}

/// A lab whose stack is one busybox `app` that sleeps, graded on a submitted `run.sh`.
fn app_lab(title: &str) -> String {
    format!(
        "---\ntitle: {title}\nsubmission: {{ run: run.sh }}\n---\n\n\
        ```yaml stack\nservices:\n  app:\n    image: busybox:1.36\n    command: [sleep, \"3600\"]\n```\n\n\
        ```yaml check\nid: app-runs\ntitle: app runs\ncontainer: {{ service: app, state: running }}\n```\n"
    )
}

/// `lab grade` of the course in `course`, trusting the submissions, with `env` added.
fn grade(
    course: &std::path::Path,
    id: &str,
    subs: &std::path::Path,
    env: &[(&str, &str)],
) -> std::process::Output {
    let out = support::workspace();
    support::lab_grade(
        course,
        &["grade", id, "--trust-submissions"],
        (subs, out.path()),
        env,
    )
}

#[test]
fn a_tag_a_submission_moved_is_put_back() {
    let p = support::Project::new("gimages");
    let id = p.name.clone();
    let text = "---\ntitle: Images\nsubmission: { run: run.sh }\n---\n\n\
        ```yaml stack\nservices:\n  web:\n    build: { context: files/web }\n```\n\n\
        ```yaml check\nid: web-runs\ntitle: web runs\ncontainer: { service: web, state: running }\n```\n";
    let dir = support::course(&[(&id, text)], &[]);
    let web = dir.path().join("labs").join(&id).join("files/web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("Dockerfile"),
        format!("FROM busybox:1.36\nLABEL test={id}\nCMD [\"sleep\", \"3600\"]\n"),
    )
    .unwrap();
    // The submission notes which image the lab built, then moves its tag to busybox.
    let seen = support::workspace();
    let id_file = seen.path().join("built");
    let subs = support::workspace();
    let s = subs.path().join("mover");
    std::fs::create_dir_all(&s).unwrap();
    // Untagged images that are not the lab's builds: someone else's, and one that carries
    // the lab's build label without being the lab's (an image built FROM a lab image
    // inherits it). Neither is ours.
    let stranger = |label: &str| {
        let d = support::workspace();
        std::fs::write(
            d.path().join("Dockerfile"),
            format!("FROM busybox:1.36\nLABEL {label}\n"),
        )
        .unwrap();
        let (built, image) = docker(&["build", "-q", d.path().to_str().unwrap()]);
        assert!(built, "could not build an image labelled {label}");
        image
    };
    let stranger_id = stranger(&format!("stranger={id}"));
    let child = stranger(&format!("io.lab.context-hash={id}"));
    std::fs::write(
        s.join("run.sh"),
        format!(
            "docker image inspect -f '{{{{.Id}}}}' {id}-web:lab > {}\n\
             docker tag busybox:1.36 {id}-web:lab\n",
            id_file.display()
        ),
    )
    .unwrap();

    let o = grade(dir.path(), &id, subs.path(), &[]);
    let said = support::said(&o);
    // Whatever the outcome, nothing of the test stays.
    let read = |f: &std::path::Path| {
        std::fs::read_to_string(f)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let lab_built = read(&id_file);
    let stranger_left = docker(&["image", "inspect", &stranger_id]).0;
    let child_left = docker(&["image", "inspect", &child]).0;
    let tag = format!("{id}-web:lab");
    let tagged = docker(&["image", "inspect", "-f", "{{.Id}}", &tag]).1;
    let busybox_tags = docker(&[
        "image",
        "inspect",
        "-f",
        "{{json .RepoTags}}",
        "busybox:1.36",
    ])
    .1;
    for img in [&child, &stranger_id, &lab_built] {
        if !img.is_empty() {
            docker(&["rmi", "-f", img]);
        }
    }
    // Left on busybox when it was not put back: only the tag goes.
    if docker(&["image", "inspect", &tag]).0 {
        docker(&["rmi", &tag]);
    }
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        lab_built.starts_with("sha256:"),
        "run.sh saw no image: {said}"
    );
    assert_eq!(
        tagged, lab_built,
        "{tag} does not name the lab's build again\n{said}"
    );
    assert!(
        !busybox_tags.contains(&tag),
        "busybox:1.36 still carries {tag}: {busybox_tags}"
    );
    assert!(
        stranger_left,
        "an untagged image lab did not build was removed"
    );
    assert!(
        child_left,
        "an untagged image with the lab's build label, not the lab's, was removed"
    );
}

/// What a submission's script built or committed and left without a tag (a second build
/// under the same tag, a commit with no name) is removed after its row, by the ids the
/// guard saw; an image the script "built" from the cache (with no tag) that was on the
/// engine before it ran stays, though nothing names it, and so does one a build of the
/// script's was made on top of.
#[test]
fn what_a_script_built_and_left_untagged_is_removed() {
    let p = support::Project::new("gbuilt");
    let id = p.name.clone();
    let dir = support::course(&[(&id, &app_lab("Builds"))], &[]);
    let dockerfile = |label: &str| format!("FROM busybox:1.36\nLABEL {label}={id}\n");
    // On the engine before: an untagged image the script will build again from the cache.
    let before = support::workspace();
    std::fs::write(before.path().join("Dockerfile"), dockerfile("before")).unwrap();
    let (built, cached) = docker(&["build", "-q", before.path().to_str().unwrap()]);
    assert!(built, "could not build the image that was there before");

    let seen = support::workspace();
    let note = |n: &str| seen.path().join(n).display().to_string();
    let subs = support::workspace();
    let s = subs.path().join("builder");
    for (d, label) in [("one", "one"), ("two", "two"), ("again", "before")] {
        std::fs::create_dir_all(s.join(d)).unwrap();
        std::fs::write(s.join(d).join("Dockerfile"), dockerfile(label)).unwrap();
    }
    // A layer on top of the image that was there before: removing it must not take the
    // one below (the engine prunes untagged parents unless told not to).
    std::fs::create_dir_all(s.join("onto")).unwrap();
    std::fs::write(
        s.join("onto").join("Dockerfile"),
        format!("{}LABEL on=top\n", dockerfile("before")),
    )
    .unwrap();
    // Quiet and verbose builds announce the id differently; both are seen.
    std::fs::write(
        s.join("run.sh"),
        format!(
            "set -e\n\
             docker build -q -t {id}-thing one > {first}\n\
             docker build -t {id}-thing two\n\
             docker image inspect -f '{{{{.Id}}}}' {id}-thing > {second}\n\
             docker run --name {id}-c busybox:1.36 true\n\
             docker commit {id}-c > {committed}\n\
             docker build -q again > {again}\n\
             docker build -q onto > {onto}\n",
            onto = note("onto"),
            first = note("first"),
            second = note("second"),
            committed = note("committed"),
            again = note("again"),
        ),
    )
    .unwrap();

    // The classic builder: the guard sees the build's output (BuildKit, where the CLI
    // uses it, talks to the engine over a stream of its own).
    let o = grade(dir.path(), &id, subs.path(), &[("DOCKER_BUILDKIT", "0")]);
    let said = support::said(&o);
    let read = |n: &str| {
        std::fs::read_to_string(seen.path().join(n))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let made: Vec<(&str, String)> = ["first", "second", "committed", "again", "onto"]
        .into_iter()
        .map(|n| (n, read(n)))
        .collect();
    let exists = |img: &str| !img.is_empty() && docker(&["image", "inspect", img]).0;
    let left: Vec<&str> = made
        .iter()
        .filter(|(_, img)| exists(img))
        .map(|(n, _)| *n)
        .collect();
    let cached_left = exists(&cached);
    // Whatever the outcome, nothing of the test stays.
    for img in made.iter().map(|(_, i)| i).chain([&cached]) {
        if !img.is_empty() {
            docker(&["rmi", "-f", img]);
        }
    }
    docker(&["rm", "-f", &format!("{id}-c")]);
    p.cleanup();
    assert_eq!(o.status.code(), Some(0), "{said}");
    for (n, img) in &made {
        assert!(
            img.starts_with("sha256:"),
            "run.sh noted no {n} image: {said}"
        );
    }
    assert_eq!(
        made[3].1, cached,
        "the last build did not come from the cache"
    );
    assert_eq!(
        left,
        ["again"],
        "what the script made should be gone, and the image that was there before kept\n{said}"
    );
    assert!(cached_left);
}

/// `lab verify`: the lab's image is built during the run, and the solution moves its tag
/// while the lab's container runs it. Once the lab is stopped, nothing can use that build
/// by name; lab built it in this run, so it is removed.
#[test]
fn verify_removes_a_build_of_its_own_run_that_lost_its_tag() {
    let p = support::Project::new("gvbuild");
    let id = p.name.clone();
    let text = format!(
        "---\ntitle: Moved\n---\n\n\
        ```yaml stack\nservices:\n  web:\n    build: {{ context: files/web }}\n```\n\n\
        ```yaml check\nid: made\ntitle: made ran\npoints: 1\n\
        container: {{ container: {id}-made, state: exited, exit_code: 0 }}\n```\n"
    );
    let seen = support::workspace();
    let note = seen.path().join("built");
    let solve = format!(
        "set -e\n\
         docker image inspect -f '{{{{.Id}}}}' \"$LAB_PROJECT-web:lab\" > {note}\n\
         docker tag busybox:1.36 \"$LAB_PROJECT-web:lab\"\n\
         docker run --label \"io.lab.project=$LAB_PROJECT\" --name \"$LAB_PROJECT-made\" busybox:1.36 true\n",
        note = note.display()
    );
    let dir = support::course(&[(&id, &text)], &[(&id, &solve)]);
    let web = dir.path().join("labs").join(&id).join("files/web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("Dockerfile"),
        format!("FROM busybox:1.36\nLABEL test={id}\nCMD [\"sleep\", \"3600\"]\n"),
    )
    .unwrap();

    let o = Command::new(support::lab_bin())
        .args(["verify", &id])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let said = support::said(&o);
    let built = std::fs::read_to_string(&note)
        .unwrap_or_default()
        .trim()
        .to_string();
    let left = !built.is_empty() && docker(&["image", "inspect", &built]).0;
    // Whatever the outcome, nothing of the test stays (the lab's tag names busybox now:
    // removing it only untags).
    if !built.is_empty() {
        docker(&["rmi", "-f", &built]);
    }
    docker(&["rmi", &format!("{id}-web:lab")]);
    docker(&["rm", "-f", &format!("{id}-made")]);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        built.starts_with("sha256:"),
        "the solution saw no image: {said}"
    );
    assert!(
        !left,
        "the lab's build from this run is still there: {built}\n{said}"
    );
}

/// A volume a script's `docker run -v NAME:/x` made (the engine creates a missing one) is
/// the script's: it goes after the row, so the next student does not find the files in it.
/// One that was there before, mounted the same way, stays.
#[test]
fn a_volume_a_script_made_by_mounting_it_is_removed() {
    let p = support::Project::new("gimplicit");
    let id = p.name.clone();
    let dir = support::course(&[(&id, &app_lab("Volumes"))], &[]);
    // Not named after the lab: only the guard's ledger can know the script made it.
    let (made, was_there) = (format!("made-{id}"), format!("there-{id}"));
    assert!(docker(&["volume", "create", &was_there]).0);
    let subs = support::workspace();
    let s = subs.path().join("mounter");
    std::fs::create_dir_all(&s).unwrap();
    std::fs::write(
        s.join("run.sh"),
        format!(
            "set -e\n\
             docker run --rm -v {made}:/d -v {was_there}:/e busybox:1.36 sh -c 'echo x > /d/f'\n\
             docker run --rm --mount type=volume,src={made},dst=/d busybox:1.36 cat /d/f\n"
        ),
    )
    .unwrap();

    let o = grade(dir.path(), &id, subs.path(), &[]);
    let said = support::said(&o);
    let made_left = docker(&["volume", "inspect", &made]).0;
    let there_left = docker(&["volume", "inspect", &was_there]).0;
    // Whatever the outcome, nothing of the test stays.
    docker(&["volume", "rm", "-f", &made, &was_there]);
    p.cleanup();
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        !made_left,
        "the volume the script made is still there\n{said}"
    );
    assert!(
        there_left,
        "a volume that was there before was removed\n{said}"
    );
}
