#!/usr/bin/env python3
"""How long `lab check` takes on each week's fresh lab (started, nothing done yet): a fresh
lab should be graded in about the time its probes take, not in the sum of its timeouts
(LAB_FORMAT §4.4). For each lab: `lab start`, RUNS timed `lab check` runs, `lab stop`.
Prints medians per lab; the goal is <= 1 s each on a 2-core machine.

Usage: python3 bench/fresh.py [RUNS] [LAB...]   (needs `cargo build --release`, busybox:1.36)
With LAB_BASELINE=/path/to/an/older/lab, that build grades the same fresh lab too,
alternating, for a side-by-side ratio.
"""
import os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.environ.get("LAB", os.path.join(ROOT, "target", "release", "lab"))
BASELINE = os.environ.get("LAB_BASELINE")
ENV = dict(os.environ, LAB_COURSE=ROOT, NO_COLOR="1")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
LABS = sys.argv[2:] or ["week1", "week2", "week3", "week4"]


def check(lab, binary, workspace):
    start = time.perf_counter()
    out = subprocess.run([binary, "check", lab, "--workspace", workspace, "--format", "json"],
                         env=ENV, capture_output=True, text=True)
    took = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise SystemExit(f"{binary} check {lab} exited {out.returncode}: {out.stderr}")
    return took


def main():
    rows = []
    for lab in LABS:
        subprocess.run([LAB, "start", lab, "-q"], env=ENV, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with tempfile.TemporaryDirectory() as ws:
                ours, base = [], []
                for _ in range(RUNS):
                    ours.append(check(lab, LAB, ws))
                    if BASELINE:
                        base.append(check(lab, BASELINE, ws))
                rows.append((lab, statistics.median(ours), statistics.median(base) if base else None))
                line = f"{lab}: lab check on the fresh lab, median of {RUNS}: {rows[-1][1]:.2f}s"
                if base:
                    line += f"; baseline {rows[-1][2]:.2f}s (ratio {rows[-1][1] / rows[-1][2]:.2f})"
                print(line, flush=True)
        finally:
            subprocess.run([LAB, "stop", lab, "--volumes"], env=ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worst = max(r[1] for r in rows)
    print(f"slowest fresh week: {worst:.2f}s (goal <= 1 s)")


if __name__ == "__main__":
    main()
