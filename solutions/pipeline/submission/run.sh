#!/usr/bin/env bash
# Reference solution for the pipeline capstone: what a student does, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files (run.sh, pipeline.sh, app/), on a fresh lab; `lab verify` runs it
# through ../solve.sh. LAB_ID, LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-pipeline}"
chmod +x ./pipeline.sh

# The app's source, copied into the workspace: the repository the pipeline builds from
# (a submission may hand in its own app/ instead).
LABDIR="${LAB_COURSE_DIR:-.}/labs/pipeline"
[ -d app ] || cp -R "$LABDIR/files/app" app

# A first commit, release 1.1.0, through the pipeline: it goes to green, blue stays idle.
echo 1.1.0 > app/VERSION
./pipeline.sh
docker exec "$P-client" sh -c 'wget -q -O - http://live:8080/version; echo; wget -q -O - http://live:8080/greeting'
