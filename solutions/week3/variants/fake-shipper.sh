#!/bin/sh
# verify: fail shipper-ships-logs
# A "sidecar" that mounts the volume read-only but prints a line of its own instead of
# the log file.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f week3-log-shipper >/dev/null
docker run -d --label "io.lab.project=$P" --name week3-log-shipper \
    -v "$P-orders-logs:/var/log/orders:ro" busybox:1.36 \
    sh -c 'echo "order 1: fake"; exec sleep 3600' >/dev/null
