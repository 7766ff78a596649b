#!/bin/sh
# verify: pass
# Correct, written differently: the stop signal as QUIT, the log size as 1M, the user by
# name, sizes in capitals, half a CPU as .5, and "unless-stopped" as the queue's policy.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f "$P-api" >/dev/null
docker run -d --label "io.lab.project=$P" --label io.lab.service=api \
    --name "$P-api" --network "$P-default" --network-alias api \
    --user nobody --read-only --tmpfs /tmp \
    --cap-drop all --security-opt no-new-privileges \
    --memory 64M --memory-swap 64M --cpus .5 --pids-limit 64 \
    --log-opt max-size=1M --log-opt max-file=3 \
    --stop-signal QUIT --stop-timeout 5 \
    week4-app:v1 >/dev/null
docker update --restart unless-stopped "$P-queue" >/dev/null
