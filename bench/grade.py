#!/usr/bin/env python3
"""Grading a class: 12 submissions of one lab (full, partial, empty and broken ones) graded
by `lab grade` side by side with the loop an instructor would write instead

    for s in submissions/*; do lab start; (cd $s && timeout T bash run.sh); lab check;
        lab stop --volumes; docker rm -f <what the student made>; done

on one engine and on two (a second engine beside the first: scripts/second-engine.sh;
the loop then runs one copy per engine over half the class). Prints the times and the
ratios the goals are about: lab grade vs the loop on one engine (goal >= 1.3x) and lab
grade on two engines vs one (goal >= 1.8x). Every run's scores are compared too: a faster
grade that disagrees is no grade.

Usage: python3 bench/grade.py [LAB]   (default week2; needs `cargo build --release`, root
for the second engine, busybox:1.36). ROUNDS=n (default 5): rounds of the three runs (lab
grade on one engine, the loop, lab grade on two) back to back; the figures are the medians
of the rounds' ratios, each taken within its round. The second engine is warmed (the lab's
images copied to it) before anything is timed, as the first is.
"""
import json, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.environ.get("LAB", os.path.join(ROOT, "target", "release", "lab"))
ENV = dict(os.environ, LAB_COURSE=ROOT, NO_COLOR="1")
ID = sys.argv[1] if len(sys.argv) > 1 else "week2"
TIMEOUT = 120
FIRST = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


def make_class(d):
    ref = os.path.join(ROOT, "solutions", ID, "submission")
    run = open(os.path.join(ref, "run.sh")).read()
    cut = run.index("# Task 4") if "# Task 4" in run else len(run) // 2
    kinds = ["full"] * 4 + ["partial"] * 3 + ["empty"] * 2 + ["broken"] * 3
    for i, kind in enumerate(kinds):
        s = os.path.join(d, f"s{i:02d}-{kind}")
        if kind == "empty":
            os.makedirs(s)
            continue
        shutil.copytree(ref, s)
        if kind == "partial":
            open(os.path.join(s, "run.sh"), "w").write(run[:cut])
        elif kind == "broken":
            # Starts the work, then fails halfway (a typo in a command).
            open(os.path.join(s, "run.sh"), "w").write(run[:cut // 2] + "\ndokcer ps\nexit 1\n")
    return sorted(os.listdir(d))


def grade(subs, out, engines, side="grade"):
    args = [LAB, "grade", ID, "--submissions", subs, "--out", out, "--trust-submissions",
            "--format", "json"]
    for e in engines:
        args += ["--engine", e]
    start = time.perf_counter()
    p = subprocess.run(args, env=ENV, capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"lab grade exited {p.returncode}: {p.stderr}")
    book = json.loads(p.stdout)
    for r in book["students"]:
        for k, v in r.get("phases_s", {}).items():
            PHASES[side][k] = PHASES[side].get(k, 0.0) + v
        TESTS["grade"][r["student"]] = {t["id"]: t["status"] for t in r.get("tests", [])}
    return took, {r["student"]: r["score"] for r in book["students"]}


# Where each side's time went (seconds, summed over the class), and each student's check
# verdicts: when the scores disagree, the checks that differ are named.
PHASES = {"grade": {}, "loop": {}, "two engines": {}, "warm": {}}
TESTS = {"grade": {}, "loop": {}}
LOCK = __import__("threading").Lock()


def timed(phase, f):
    start = time.perf_counter()
    r = f()
    with LOCK:  # the two-engine loop runs in two threads
        PHASES["loop"][phase] = PHASES["loop"].get(phase, 0.0) + time.perf_counter() - start
    return r


def loop_one(subs, names, host, scores):
    env = dict(ENV, DOCKER_HOST=host)
    for name in names:
        s = os.path.join(subs, name)
        q = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timed("start", lambda: subprocess.run([LAB, "start", ID, "-q"], env=env, **q))
        if os.path.exists(os.path.join(s, "run.sh")):
            timed("script", lambda: subprocess.run(
                ["timeout", str(TIMEOUT), "bash", "run.sh"], cwd=s,
                env=dict(env, LAB_ID=ID, LAB_PROJECT=ID, LAB_COURSE_DIR=ROOT), **q))
        p = timed("checks", lambda: subprocess.run(
            [LAB, "check", ID, "--workspace", s, "--format", "json"],
            env=env, capture_output=True, text=True))
        try:
            report = json.loads(p.stdout)
            scores[name] = report["score"]
            TESTS["loop"][name] = {t["id"]: t["status"] for t in report["tests"]}
        except (ValueError, KeyError):
            scores[name] = None
        timed("teardown", lambda: teardown(env, host, q))


def teardown(env, host, q):
    subprocess.run([LAB, "stop", ID, "--volumes"], env=env, **q)
    # What the student made by hand is not the lab's: the loop must remove it too.
    ids = subprocess.run(["docker", "-H", host, "ps", "-aq", "--filter", f"name=^{ID}-"],
                         capture_output=True, text=True).stdout.split()
    if ids:
        subprocess.run(["docker", "-H", host, "rm", "-f", *ids], **q)
    imgs = subprocess.run(["docker", "-H", host, "images", "--format",
                           "{{.Repository}}:{{.Tag}}"], capture_output=True, text=True)
    for t in imgs.stdout.split():
        if t.startswith(f"{ID}-") and not t.endswith(":lab"):
            subprocess.run(["docker", "-H", host, "rmi", "-f", t], **q)


def loop(subs, names, hosts):
    import threading
    scores = {}
    parts = [names[i::len(hosts)] for i in range(len(hosts))]
    start = time.perf_counter()
    threads = [threading.Thread(target=loop_one, args=(subs, p, h, scores))
               for p, h in zip(parts, hosts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, scores


def second_engine():
    p = subprocess.run(["bash", os.path.join(ROOT, "scripts", "second-engine.sh"), "start"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"no second engine here: {p.stderr.strip()}")
        return None
    host = p.stdout.strip()
    # The lab's images, as `lab grade` copies them (the loop gets the same head start).
    for img in ["busybox:1.36"]:
        subprocess.run(f"docker save {img} | docker -H {host} load", shell=True,
                       stdout=subprocess.DEVNULL, check=True)
    return host


def containers(hosts, n=12):
    """The engines' own scaling on this machine, without lab: n `docker run --rm` of the
    helper image, on one engine, or split over several side by side. Two engines sharing
    this machine's CPUs and kernel cannot run lab's work faster than they run their own."""
    import threading

    def run(host, k):
        for _ in range(k):
            subprocess.run(["docker", "-H", host, "run", "--rm", "busybox:1.36", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(h, n // len(hosts))) for h in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def disagreements(names, a, b):
    """The students two runs scored differently, with the checks behind it."""
    differ = [n for n in names if a.get(n) != b.get(n)]
    if differ:
        print(f"  scores differ for {differ}: grade {[a.get(n) for n in differ]}, loop {[b.get(n) for n in differ]}")
        for n in differ:
            g, l = TESTS["grade"].get(n, {}), TESTS["loop"].get(n, {})
            print(f"    {n}: " + ", ".join(f"{c} grade {g.get(c)} loop {l.get(c)}"
                                           for c in sorted(set(g) | set(l)) if g.get(c) != l.get(c)))


def main():
    # This machine's speed drifts between minutes (a shared host): each round times the
    # three runs back to back (lab grade on one engine, the loop, lab grade on two), and
    # the figures are the medians of the rounds' ratios, each taken within its round.
    rounds = max(1, int(os.environ.get("ROUNDS", "5")))
    with tempfile.TemporaryDirectory() as d:
        subs = os.path.join(d, "class")
        os.makedirs(subs)
        names = make_class(subs)
        # Warm: the lab's images exist before anything is timed.
        subprocess.run([LAB, "start", ID, "-q"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([LAB, "stop", ID, "--volumes"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"{len(names)} submissions of {ID}: {', '.join(names)}; {rounds} round(s)", flush=True)
        # The second engine idles while one engine is timed (an idle dockerd takes no CPU).
        second = second_engine()
        try:
            if second:
                # Warm it as the first is warmed: the lab's images copied once, untimed
                # (an instructor's second batch on that engine starts this way too).
                grade(subs, os.path.join(d, "warm"), [second], side="warm")
            ones, twos, ceiling = [], [], []
            for r in range(rounds):
                g1, s_g1 = grade(subs, os.path.join(d, f"g1-{r}"), [])
                one_engine = dict(TESTS["grade"])
                l1, s_l1 = loop(subs, names, [FIRST])
                ones.append(l1 / g1)
                disagreements(names, s_g1, s_l1)
                line = f"round {r + 1}: lab grade {g1:5.1f}s, the loop {l1:5.1f}s: {l1 / g1:.2f}x"
                if second:
                    g2, s_g2 = grade(subs, os.path.join(d, f"g2-{r}"), [FIRST, second], side="two engines")
                    twos.append(g1 / g2)
                    line += f"; lab grade on two engines {g2:5.1f}s: {g1 / g2:.2f}x one engine"
                    c1, c2 = containers([FIRST]), containers([FIRST, second])
                    ceiling.append(c1 / c2)
                    line += f"; the engines alone (12 docker run): {c1 / c2:.2f}x"
                print(line, flush=True)
                if second and s_g2 != s_g1:
                    print(f"  two engines graded differently: {s_g1} vs {s_g2}")
                    for n in names:
                        a, b = one_engine.get(n, {}), TESTS["grade"].get(n, {})
                        differ = [c for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)]
                        if differ:
                            print(f"    {n}: " + ", ".join(f"{c} one {a.get(c)} two {b.get(c)}" for c in differ))
            print(f"one engine: lab grade is {median(ones):.2f}x faster than the loop "
                  f"(median of {rounds}; range {min(ones):.2f}-{max(ones):.2f}; goal >= 1.3)", flush=True)
            # The same work on both sides (the lab's starts, the students' scripts, the
            # checks, the engine's kills) sets a floor no grader goes below on one engine.
            for side in ("grade", "loop", "two engines"):
                if not PHASES[side]:
                    continue
                print(f"  {side:5} phases (per round, summed over the class): " + ", ".join(
                    f"{k} {v / rounds:.1f}s" for k, v in sorted(PHASES[side].items())))
            if not second:
                return
            print(f"two engines: {median(twos):.2f}x one engine (median of {rounds}; range "
                  f"{min(twos):.2f}-{max(twos):.2f}; goal >= 1.8)", flush=True)
            print(f"  the engines' own scaling here, without lab (12 `docker run --rm` on one "
                  f"engine vs 6 + 6 side by side): {median(ceiling):.2f}x (range "
                  f"{min(ceiling):.2f}-{max(ceiling):.2f})", flush=True)
            l2, _ = loop(subs, names, [FIRST, second])
            print(f"the loop, two engines: {l2:5.1f}s (lab grade's last: {g2:.1f}s)", flush=True)
        finally:
            if second:
                subprocess.run(["bash", os.path.join(ROOT, "scripts", "second-engine.sh"), "stop"])


if __name__ == "__main__":
    main()
