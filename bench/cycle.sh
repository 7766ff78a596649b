#!/usr/bin/env bash
# The provisioning benchmark, as one command: build lab (release), run the side-by-side
# cycle (bench/cycle.py: lab start+stop vs the guide's SDK script vs docker-compose,
# alternating, medians, ratios, floor, lab start's peak RSS by /usr/bin/time).
# Usage: bash bench/cycle.sh [RUNS]   (needs ../shared/anchors/webstack, `pip install docker`,
# Debian's docker-compose and busybox:1.36; not part of CI)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin lab
python3 bench/cycle.py "${1:-5}"
