#!/usr/bin/env python3
"""One full provisioning cycle (start + stop), side by side in one run, alternating:
`lab start webstack` + `lab stop` vs the guide's Python SDK script (seed_cycle.sh) vs
docker-compose (compose_cycle.sh). Prints medians, ratios, lab's peak memory, and how close
`lab start` is to its floor (the container starts on the critical path plus the one health
interval the engine waits before its first probe).

Usage: python3 bench/cycle.py [RUNS]   (needs ../shared/anchors/webstack, `pip install docker`,
Debian's docker-compose, busybox:1.36, and `cargo build --release`)
With LAB_BASELINE=/path/to/an/older/lab, that build runs alternating too, to compare two builds
of lab in one run (ratio lab / baseline).
"""
import os, resource, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANCHORS = os.environ.get("ANCHORS", os.path.join(ROOT, "..", "shared", "anchors", "webstack"))
LAB = os.environ.get("LAB", os.path.join(ROOT, "target", "release", "lab"))
BASELINE = os.environ.get("LAB_BASELINE")
COURSE = os.path.join(ROOT, "bench", "webstack")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def timed(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def peak_rss_mb(cmd, **kw):
    """Peak resident memory of one process, in MB, as /usr/bin/time -v reports it (os.wait4's
    ru_maxrss would count the forked Python interpreter before exec, ~3 MB too much)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, **kw)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def lab_cycle(lab=LAB):
    env = dict(os.environ, LAB_COURSE=COURSE)
    return timed([lab, "start", "webstack", "-q"], env=env) + timed([lab, "stop", "webstack", "--volumes"], env=env)


def floor():
    """The critical path with no overhead at all: db's start, the 1 s before the engine's
    first health probe, the one-shot migration (start to exit), app's and nginx's starts.
    Starts are measured through the API (the Python SDK), in this run."""
    import docker
    client = docker.from_env()
    net = client.networks.create("lab-bench-floor")
    try:
        starts = []
        for _ in range(5):
            t = time.perf_counter()
            c = client.containers.run("busybox:1.36", "sleep 30", detach=True, network="lab-bench-floor")
            starts.append(time.perf_counter() - t)
            c.remove(force=True)
        db = client.containers.run("busybox:1.36", "nc -ll -p 5432 -e cat", detach=True,
                                   network="lab-bench-floor", name="lab-bench-floor-db")
        time.sleep(0.5)
        t = time.perf_counter()
        client.containers.run("busybox:1.36", "sh -c 'echo | nc -w 1 lab-bench-floor-db 5432'",
                              network="lab-bench-floor", remove=True)
        oneshot = time.perf_counter() - t
        db.remove(force=True)
    finally:
        net.remove()
    start = statistics.median(starts)
    return 3 * start + 1.0 + oneshot, start, oneshot


def main():
    subprocess.run(["docker", "rm", "-f", "seedstack-db", "seedstack-app", "seedstack-nginx", "seedstack-logger"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {"lab": [], "sdk": [], "compose": []}
    if BASELINE:
        results["baseline"] = []
    for i in range(RUNS):
        results["lab"].append(lab_cycle())
        if BASELINE:
            results["baseline"].append(lab_cycle(BASELINE))
        results["sdk"].append(timed(["sh", os.path.join(ANCHORS, "seed_cycle.sh")]))
        results["compose"].append(timed(["sh", os.path.join(ANCHORS, "compose_cycle.sh")]))
        print(f"run {i + 1}/{RUNS}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in results.items()), flush=True)
    med = {k: statistics.median(v) for k, v in results.items()}
    env = dict(os.environ, LAB_COURSE=COURSE)
    start_times = []
    for _ in range(3):
        start_times.append(timed([LAB, "start", "webstack", "-q"], env=env))
        subprocess.run([LAB, "stop", "webstack", "--volumes"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rss = peak_rss_mb([LAB, "start", "webstack", "-q"], env=env)
    subprocess.run([LAB, "stop", "webstack", "--volumes"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fl, one_start, oneshot = floor()
    print()
    print(f"medians of {RUNS} alternating runs (whole processes):")
    for k in results:
        print(f"  {k:8} {med[k]:6.2f}s")
    if BASELINE:
        print(f"  lab / baseline = {med['lab'] / med['baseline']:.2f}  (baseline: {BASELINE})")
    print(f"  lab / sdk     = {med['lab'] / med['sdk']:.2f}  (goal <= 0.5)")
    print(f"  lab / compose = {med['lab'] / med['compose']:.2f}")
    print(f"lab start alone: median {statistics.median(start_times):.2f}s; floor {fl:.2f}s "
          f"(3 starts of {one_start:.2f}s + 1 s to the first health probe + the one-shot {oneshot:.2f}s); "
          f"start / floor = {statistics.median(start_times) / fl:.2f}")
    # lab runs db's health test itself, so migrate need not wait for the engine's first probe;
    # it still returns only once the engine says healthy (1 s after db's start).
    fl2 = max(one_start + 1.0, 3 * one_start + oneshot)
    print(f"  floor with the health wait off the chain: {fl2:.2f}s = max(db start + 1 s, 3 starts + one-shot); "
          f"start / that floor = {statistics.median(start_times) / fl2:.2f}")
    print(f"peak RSS of lab start: {rss:.1f} MB (goal <= 30 MB)")


if __name__ == "__main__":
    main()
