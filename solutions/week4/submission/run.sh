#!/usr/bin/env bash
# Reference solution for week4 (production patterns): what a student does, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files, on a fresh lab; `lab verify` runs it through ../solve.sh. LAB_ID,
# LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-week4}"
ID="${LAB_ID:-week4}"
L="--label io.lab.project=$P --label io.lab.lab=$ID --label io.lab.course=container-orchestration"
LABDIR="${LAB_COURSE_DIR:-.}/labs/week4"
[ -d "$LABDIR" ] || { echo "LAB_COURSE_DIR is not the course folder" >&2; exit 1; }

# The releases.
docker build -q -t week4-app:v1 "$LABDIR/files/app" >/dev/null
docker build -q -t week4-app:v2 --build-arg VERSION=v2 "$LABDIR/files/app" >/dev/null
docker build -q -t week4-app:v3 --build-arg VERSION=v3 --build-arg BROKEN=yes "$LABDIR/files/app" >/dev/null

# Task 1: measure, limit the running container, measure again.
docker stats --no-stream "$P-api"
docker update --memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 64 "$P-api" >/dev/null
docker stats --no-stream "$P-api" > stats.txt
cat stats.txt

# Tasks 2 and 3: replace api with a hardened container (keeping the limits), with log
# rotation and a graceful stop signal. The io.lab.service label keeps it the "api" service.
docker rm -f "$P-api" >/dev/null
docker run -d $L --label io.lab.service=api \
    --name "$P-api" --network "$P-default" --network-alias api \
    --user 65534:65534 --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges:true \
    --memory 64m --memory-swap 64m --cpus 0.5 --pids-limit 64 \
    --log-driver json-file --log-opt max-size=1m --log-opt max-file=3 \
    --stop-signal SIGQUIT --stop-timeout 5 \
    week4-app:v1 >/dev/null

# Task 4: a restart policy on the live container; start it if a crash test left it dead.
docker update --restart on-failure "$P-queue" >/dev/null
if [ "$(docker inspect --format '{{.State.Running}}' "$P-queue")" != "true" ]; then
    docker start "$P-queue" >/dev/null
fi

# Task 5: the deployment script, then a rolling update to v2, one replica at a time.
chmod +x ./deploy.sh   # one of the submission's files
./deploy.sh week4-app:v2 week4-v2-1 "$P-web1"
./deploy.sh week4-app:v2 week4-v2-2 "$P-web2"
docker exec "$P-client" sh -c 'for i in 1 2 3 4; do wget -q -O - http://live:8080/version; done'

# And the bad release is caught by the health gate.
if ./deploy.sh week4-app:v3 week4-v3-1 week4-v2-1; then
    echo "the bad release went live" >&2
    exit 1
fi
