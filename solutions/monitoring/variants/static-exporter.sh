#!/bin/sh
# verify: fail exporters-follow-live alert-fires alert-clears
# An "exporter" for api that mounts the volume but serves a snapshot of the figures,
# taken once: the right format, frozen, so api is "up" for ever.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null 2>&1
P="$LAB_PROJECT"
docker rm -f monitoring-api-exporter >/dev/null
docker run -d --name monitoring-api-exporter --label "io.lab.project=$P" \
    -e SERVICE=api -v "$P-api-stats:/stats:ro" --network "$P-metrics" --network-alias exporter \
    busybox:1.36 sh -c 'mkdir -p /www && printf "app_up{service=\"api\"} 1\napp_requests_total{service=\"api\"} 42\n" > /www/metrics && exec httpd -f -p 9100 -h /www' >/dev/null
