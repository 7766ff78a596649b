#!/usr/bin/env bash
# Reference solution for the chat capstone: what a student does, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files, on a fresh lab; `lab verify` runs it through ../solve.sh. LAB_ID,
# LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-chat}"
ID="${LAB_ID:-chat}"
L="--label io.lab.project=$P --label io.lab.lab=$ID --label io.lab.course=container-orchestration"

# Tasks 1 to 3, one docker run per replica: the shared volume at /data (task 1), a health
# check that probes the relay's web server every second (task 2), on the back network only,
# known there as relay (task 3). The labels keep them the replicas of the service relay.
for n in 1 2; do
    docker rm -f "$P-relay-$n" >/dev/null 2>&1 || true
    docker run -d $L --label io.lab.service=relay --label "io.lab.replica=$n" \
        --name "$P-relay-$n" \
        --network "$P-back" --network-alias relay \
        -v "$P-store:/data" \
        --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8000/cgi-bin/health || exit 1' \
        --health-interval 1s --health-timeout 2s --health-retries 3 \
        chat-relay:1.0 >/dev/null
done

# Wait for both to be healthy, as a student would watch `docker ps`.
for n in 1 2; do
    i=0
    until [ "$(docker inspect --format '{{.State.Health.Status}}' "$P-relay-$n")" = healthy ]; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || { echo "relay $n never became healthy" >&2; exit 1; }
        sleep 0.2
    done
done

# Task 4: the chat works for its users (the checks open the interactive sessions).
docker exec "$P-alice" chat send alice "the store is shared now"
docker exec "$P-bob" chat history
docker ps --filter "label=io.lab.project=$P" --format 'table {{.Names}}\t{{.Status}}'
