#!/bin/sh
# verify: fail api-locked-down api-cannot-write-root api-still-serves
# The api runs as nobody but its root filesystem stays writable: nobody cannot write to /,
# root inside the container still can. (api-still-serves needs the locked-down api.)
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f "$P-api" >/dev/null
docker run -d --label "io.lab.project=$P" --label io.lab.service=api \
    --name "$P-api" --network "$P-default" --network-alias api \
    --user 65534:65534 --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges:true \
    --memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 64 \
    --log-driver json-file --log-opt max-size=1m --log-opt max-file=3 \
    --stop-signal SIGQUIT --stop-timeout 5 \
    week4-app:v1 >/dev/null
