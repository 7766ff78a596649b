#!/bin/sh
# The reference solution is the submission that gets full marks: its files copied into the
# workspace, then its run.sh, as `lab grade` does with a student's folder.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
cp -R "$HERE/submission/." .
exec bash ./run.sh
