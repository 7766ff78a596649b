#!/bin/sh
# verify: pass
# A correct Dockerfile that does not look like the book's: the base through an ARG, in
# full, with a stage name; instructions in lower case; the default command as ENTRYPOINT.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
cat > greeter/Dockerfile <<'DOCKERFILE'
# syntax=docker/dockerfile:1
ARG BASE=docker.io/library/busybox:1.36
from ${BASE} AS base
label purpose="greet"
entrypoint ["echo", "Greetings from my first image"]
DOCKERFILE
docker build -q -t week1-greeter:1.0 greeter >/dev/null
docker rm -f week1-greeter >/dev/null
docker run --label "io.lab.project=$P" --name week1-greeter week1-greeter:1.0 >/dev/null
