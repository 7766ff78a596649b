#!/usr/bin/env python3
"""How fast `lab watch --json` reacts to a student's change, side by side with what the
anchors do (iximiuz Labs re-runs every task about once a second: a loop of `lab check`
with `sleep 1`): the time from a change (a network made or removed with the docker CLI, a
workspace file written or removed) to the first line that shows it, median and max over
CHANGES changes each; and lab watch's CPU use while nothing changes (a container with a
1 s health check keeps the engine busy meanwhile).

Usage: python3 bench/watch.py [CHANGES] [IDLE_SECONDS]   (needs `cargo build --release`,
busybox:1.36)
"""
import json, os, random, statistics, subprocess, sys, tempfile, threading, time, queue

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.environ.get("LAB", os.path.join(ROOT, "target", "release", "lab"))
CHANGES = int(sys.argv[1]) if len(sys.argv) > 1 else 20
IDLE = int(sys.argv[2]) if len(sys.argv) > 2 else 30
PROJECT = "benchwatch"

LAB_TEXT = f"""---
title: Watch bench
---

```yaml stack
services:
  web:
    image: busybox:1.36
    command: ["sleep", "3600"]
    healthcheck: {{ test: ["CMD", "true"], interval: 1s }}
```

## Change things

```yaml check
id: net
title: the network exists
network: {{ name: {PROJECT}-made }}
```

```yaml check
id: note
title: note.txt exists
file: {{ path: note.txt }}
```
"""


def course():
    d = tempfile.mkdtemp(prefix="lab-bench-watch-")
    os.makedirs(os.path.join(d, "labs", "bench"))
    with open(os.path.join(d, "labs", "course.yaml"), "w") as f:
        f.write("format_version: 1\ntitle: Bench\nlabs: [bench]\n")
    with open(os.path.join(d, "labs", "bench", "README.md"), "w") as f:
        f.write(LAB_TEXT)
    ws = os.path.join(d, "ws")
    os.makedirs(ws)
    return d, ws


def change(i, ws):
    """The i-th change: which check it flips, and to what."""
    if i % 2 == 0:
        made = (i // 2) % 2 == 0
        if made:
            subprocess.run(["docker", "network", "create", "--label", f"io.lab.project={PROJECT}",
                            f"{PROJECT}-made"], check=True, stdout=subprocess.DEVNULL)
        else:
            subprocess.run(["docker", "network", "rm", f"{PROJECT}-made"], check=True, stdout=subprocess.DEVNULL)
        return "net", "pass" if made else "fail"
    made = (i // 2) % 2 == 0
    path = os.path.join(ws, "note.txt")
    if made:
        with open(path, "w") as f:
            f.write("x\n")
    else:
        os.remove(path)
    return "note", "pass" if made else "fail"


def status(doc, check):
    for c in doc.get("checks", doc.get("tests", [])):
        if c["id"] == check:
            return c["status"]
    return None


def reader(proc, q):
    for line in proc.stdout:
        try:
            q.put((time.perf_counter(), json.loads(line)))
        except ValueError:
            pass


def measure(cmd, env, ws, label):
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    q = queue.Queue()
    threading.Thread(target=reader, args=(proc, q), daemon=True).start()
    q.get(timeout=60)  # the first grade
    time.sleep(1.5)
    latencies = []
    # Changes at random moments (fixed seed: both runs see the same pauses), so a loop's
    # period does not line up with them.
    pauses = random.Random(7)
    for i in range(CHANGES):
        while not q.empty():
            q.get_nowait()
        t0 = time.perf_counter()
        check, want = change(i, ws)
        while True:
            at, doc = q.get(timeout=60)
            if status(doc, check) == want:
                latencies.append(at - t0)
                break
        time.sleep(pauses.uniform(0.4, 1.6))
    cpu = None
    if label == "watch":
        time.sleep(2)
        ticks = lambda: sum(int(x) for x in open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
        before, t0 = ticks(), time.perf_counter()
        time.sleep(IDLE)
        cpu = (ticks() - before) / os.sysconf("SC_CLK_TCK") / (time.perf_counter() - t0) * 100
    proc.terminate()
    proc.wait()
    return latencies, cpu


def main():
    d, ws = course()
    env = dict(os.environ, LAB_COURSE=d, NO_COLOR="1", LAB_HOME=os.path.join(d, "home"))
    subprocess.run([LAB, "start", "bench", "--project", PROJECT, "-q"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        watch, cpu = measure([LAB, "watch", "bench", "--project", PROJECT, "--json", "--workspace", ws],
                             env, ws, "watch")
        loop_cmd = ["sh", "-c", f"while true; do '{LAB}' check bench --project {PROJECT} --workspace '{ws}' "
                    f"--format json | tr -d '\\n'; echo; sleep 1; done"]
        loop, _ = measure(loop_cmd, env, ws, "loop")
    finally:
        subprocess.run([LAB, "stop", "bench", "--project", PROJECT, "--volumes"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["docker", "network", "rm", f"{PROJECT}-made"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    med = lambda xs: statistics.median(xs) * 1000
    print(f"{CHANGES} changes (half docker CLI, half workspace files), time to the line that shows them:")
    print(f"  lab watch --json:           median {med(watch):6.0f} ms, max {max(watch) * 1000:6.0f} ms (goal: median <= 300 ms)")
    print(f"  lab check every 1 s (loop): median {med(loop):6.0f} ms, max {max(loop) * 1000:6.0f} ms")
    print(f"  loop / watch (medians):     {statistics.median(loop) / statistics.median(watch):.1f}x (goal >= 2x)")
    print(f"lab watch's CPU while nothing changed for {IDLE} s: {cpu:.2f}% (goal < 1%)")


if __name__ == "__main__":
    main()
