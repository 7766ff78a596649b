#!/bin/sh
# verify: fail relay-health-means-it
# A health check that looks at the store file, not at the service: it stays healthy when
# the relay's web server is dead.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
for n in 1 2; do
    docker rm -f "$P-relay-$n" >/dev/null
    docker run -d --name "$P-relay-$n" \
        --label "io.lab.project=$P" --label io.lab.service=relay --label "io.lab.replica=$n" \
        --network "$P-back" --network-alias relay -v "$P-store:/data" \
        --health-cmd 'test -f /data/messages' \
        --health-interval 1s --health-retries 3 \
        chat-relay:1.0 >/dev/null
done
for n in 1 2; do
    until [ "$(docker inspect --format '{{.State.Health.Status}}' "$P-relay-$n")" = healthy ]; do sleep 0.2; done
done
