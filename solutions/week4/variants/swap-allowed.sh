#!/bin/sh
# verify: fail api-limited
# The api limited to 64 MiB of memory but not its swap (--memory without --memory-swap):
# the engine lets it swap as much again, and the task asks for no swap.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f "$P-api" >/dev/null
docker run -d --label "io.lab.project=$P" --label io.lab.service=api \
    --name "$P-api" --network "$P-default" --network-alias api \
    --user 65534:65534 --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges:true \
    --memory 64m --cpus 0.5 --pids-limit 64 \
    --log-driver json-file --log-opt max-size=1m --log-opt max-file=3 \
    --stop-signal SIGQUIT --stop-timeout 5 \
    week4-app:v1 >/dev/null
