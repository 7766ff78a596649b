#!/bin/sh
# verify: fail api-stop-config api-drains-on-stop
# The hardened api keeps the default stop signal (SIGTERM): a stop drops its requests.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f "$P-api" >/dev/null
docker run -d --label "io.lab.project=$P" --label io.lab.service=api \
    --name "$P-api" --network "$P-default" --network-alias api \
    --user 65534:65534 --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges:true \
    --memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 64 \
    --log-driver json-file --log-opt max-size=1m --log-opt max-file=3 \
    --stop-timeout 5 \
    week4-app:v1 >/dev/null
