#!/bin/sh
# verify: fail metrics-standard
# An "adapter" that serves a copy of today's figures as a static file: the right format,
# figures that never follow the orders service.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f week3-adapter >/dev/null
docker run -d --label "io.lab.project=$P" --name week3-adapter \
    --network "$P-backend" --network-alias metrics busybox:1.36 \
    sh -c 'mkdir -p /www && printf "# TYPE orders_total counter\norders_total 1\n" > /www/metrics && exec httpd -f -p 9100 -h /www' >/dev/null
