#!/bin/sh
# verify: pass
# Correct, written differently: the volume with --mount, a health check that fetches the
# relay's start page with `wget -O -` on localhost, each relay created first and attached
# to the back network with `docker network connect --alias`, and a restart policy.
set -eu
P="$LAB_PROJECT"
for n in 1 2; do
    docker rm -f "$P-relay-$n" >/dev/null
    docker create --name "$P-relay-$n" \
        --label "io.lab.project=$P" --label io.lab.service=relay --label "io.lab.replica=$n" \
        --mount "type=volume,source=$P-store,target=/data" \
        --health-cmd 'wget -q -O - http://localhost:8000/ | grep -q relay' \
        --health-interval 1s --health-retries 2 \
        --restart unless-stopped \
        chat-relay:1.0 >/dev/null
    docker network disconnect bridge "$P-relay-$n"
    docker network connect --alias relay "$P-back" "$P-relay-$n"
    docker start "$P-relay-$n" >/dev/null
done
for n in 1 2; do
    until [ "$(docker inspect --format '{{.State.Health.Status}}' "$P-relay-$n")" = healthy ]; do sleep 0.2; done
done
