#!/bin/sh
# verify: pass
# Correct, written differently: half a CPU as a CFS quota (--cpu-quota 50000 of the
# default 100 ms period) rather than --cpus 0.5; the engine then reports no period at all.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f "$P-api" >/dev/null
docker run -d --label "io.lab.project=$P" --label io.lab.service=api \
    --name "$P-api" --network "$P-default" --network-alias api \
    --user 65534:65534 --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges:true \
    --memory 64m --memory-swap 64m --cpu-quota 50000 --pids-limit 64 \
    --log-driver json-file --log-opt max-size=1m --log-opt max-file=3 \
    --stop-signal SIGQUIT --stop-timeout 5 \
    week4-app:v1 >/dev/null
