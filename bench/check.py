#!/usr/bin/env python3
"""The guide's six checks, side by side on one running stack: `lab check webstack` vs the
guide's pexpect checker (seed_pexpect_check.py), alternating. The stack is started once by
`lab start webstack --project seedstack`, so the containers carry the names the pexpect
checker expects. Prints medians and the ratio.

Usage: python3 bench/check.py [RUNS]   (needs ../shared/anchors/webstack, `pip install pexpect`)
With LAB_BASELINE=/path/to/an/older/lab, that build grades alternating too (ratio lab / baseline).
"""
import os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANCHORS = os.environ.get("ANCHORS", os.path.join(ROOT, "..", "shared", "anchors", "webstack"))
LAB = os.environ.get("LAB", os.path.join(ROOT, "target", "release", "lab"))
ENV = dict(os.environ, LAB_COURSE=os.path.join(ROOT, "bench", "webstack"))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BASELINE = os.environ.get("LAB_BASELINE")


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    return time.perf_counter() - start, out


def main():
    subprocess.run([LAB, "start", "webstack", "--project", "seedstack", "-q"], env=ENV, check=True)
    try:
        lab_t, seed_t, seed_flakes, seed_pass_t, base_t = [], [], [], [], []
        for i in range(RUNS):
            if BASELINE:
                t, out = timed([BASELINE, "check", "webstack", "--project", "seedstack", "--format", "json"])
                if out.returncode != 0:
                    raise SystemExit("the baseline's lab check did not pass")
                base_t.append(t)
            t, out = timed([LAB, "check", "webstack", "--project", "seedstack", "--format", "json"])
            if out.returncode != 0:
                print(out.stdout, out.stderr)
                raise SystemExit("lab check did not pass")
            lab_t.append(t)
            t, out = timed([sys.executable, os.path.join(ANCHORS, "seed_pexpect_check.py")])
            if "6 passed, 0 failed" not in out.stdout:
                # The guide's checker is itself flaky: its `nslookup | tail -2` sees the A answer
                # or not, depending on the order of the A and AAAA replies; a miss costs its 5 s
                # timeout. Both medians are reported.
                seed_flakes.append(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "no output")
            else:
                seed_pass_t.append(t)
            seed_t.append(t)
            print(f"run {i + 1}/{RUNS}: lab {lab_t[-1]:.3f}s, pexpect {seed_t[-1]:.3f}s", flush=True)
        # Where lab's time goes: per-check durations from the JSON report.
        _, out = timed([LAB, "check", "webstack", "--project", "seedstack", "--format", "json"])
        import json
        report = json.loads(out.stdout)
        print()
        print(f"medians of {RUNS}: lab check {statistics.median(lab_t):.3f}s, "
              f"pexpect checker {statistics.median(seed_t):.3f}s, "
              f"ratio {statistics.median(lab_t) / statistics.median(seed_t):.3f} (goal <= 0.15)")
        if base_t:
            print(f"baseline {statistics.median(base_t):.3f}s; lab / baseline = "
                  f"{statistics.median(lab_t) / statistics.median(base_t):.2f} (baseline: {BASELINE})")
        if seed_pass_t:
            print(f"on the runs where the pexpect checker passed ({len(seed_pass_t)}): "
                  f"median {statistics.median(seed_pass_t):.3f}s, ratio "
                  f"{statistics.median(lab_t) / statistics.median(seed_pass_t):.3f}")
        if seed_flakes:
            print(f"the pexpect checker did not pass {len(seed_flakes)} of {RUNS} runs: {seed_flakes}")
        print("per check (ms, they run concurrently):", ", ".join(f"{t['id']} {t['duration_ms']}" for t in report["tests"]))
    finally:
        subprocess.run([LAB, "stop", "webstack", "--project", "seedstack", "--volumes"], env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
