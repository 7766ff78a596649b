#!/usr/bin/env python3
"""What a CI job saves by installing the release instead of compiling `lab` (issue 14).

Side by side, on this machine:
- compile: `cargo build --release --locked` in a fresh, empty target folder (what a job
  that builds `lab` does; the crates are already downloaded here, so a real job also pays
  their download on top);
- install: install.sh from a folder laid out as the release (download by copy, sha256
  checked against sha256.sum, unpacked, installed, `lab --version` run), RUNS times, the
  median. A real job adds the download of one ~6 MB archive.

Usage: python3 bench/install.py [RUNS]
  The release folder: LAB_RELEASE_DIR (default: scripts/release.sh's output,
  $CARGO_TARGET_DIR/release-assets, made with `scripts/release.sh` when it is missing).
  LAB_BENCH_COMPILE_SECONDS=N skips the compile and takes N as its time (it takes minutes).
"""
import os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
RELEASE = os.environ.get("LAB_RELEASE_DIR", os.path.join(TARGET, "release-assets"))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def size(path):
    return os.path.getsize(path) / 1e6


def compile_seconds():
    given = os.environ.get("LAB_BENCH_COMPILE_SECONDS")
    if given:
        return float(given), "given"
    with tempfile.TemporaryDirectory(prefix="lab-bench-target-") as target:
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        start = time.perf_counter()
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT,
                       env=env, check=True)
        return time.perf_counter() - start, "measured"


def install_seconds():
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="lab-bench-install-") as home:
            env = {"PATH": os.environ["PATH"], "HOME": home, "LAB_INSTALL_BASE": RELEASE,
                   "LAB_INSTALL_DIR": os.path.join(home, "bin")}
            start = time.perf_counter()
            subprocess.run(["sh", os.path.join(RELEASE, "install.sh")], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    archive = os.path.join(RELEASE, "lab-x86_64-unknown-linux-musl.tar.gz")
    if not os.path.exists(archive):
        subprocess.run([os.path.join(ROOT, "scripts", "release.sh"), "--out", RELEASE,
                        "--targets", "x86_64-unknown-linux-musl"], check=True)
    binary = os.path.join(TARGET, "x86_64-unknown-linux-musl", "dist", "lab")
    if os.path.exists(binary):
        print(f"static musl binary (stripped): {size(binary):.1f} MB")
    print(f"{os.path.basename(archive)}: {size(archive):.1f} MB")
    inst = install_seconds()
    comp, how = compile_seconds()
    print(f"{'compile (cargo build --release, clean target)':<48} {comp:8.1f} s ({how})")
    print(f"{'install (install.sh from a folder, median of ' + str(RUNS) + ')':<48} {inst:8.2f} s")
    print(f"install is {comp / inst:.0f}x faster; a job saves {comp - inst:.0f} s")


if __name__ == "__main__":
    main()
