#!/bin/sh
# verify: fail relays-use-store relays-share-messages history-survives-restart alice-says-hello bob-replies
# A volume for each relay: each store survives a restart, but the relays still keep
# different messages, so the chat depends on which relay a request reaches.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
for n in 1 2; do
    docker volume create --label "io.lab.project=$P" "$P-store-$n" >/dev/null
    docker rm -f "$P-relay-$n" >/dev/null
    docker run -d --name "$P-relay-$n" \
        --label "io.lab.project=$P" --label io.lab.service=relay --label "io.lab.replica=$n" \
        --network "$P-back" --network-alias relay -v "$P-store-$n:/data" \
        --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8000/cgi-bin/health' \
        --health-interval 1s --health-retries 3 \
        chat-relay:1.0 >/dev/null
done
for n in 1 2; do
    until [ "$(docker inspect --format '{{.State.Health.Status}}' "$P-relay-$n")" = healthy ]; do sleep 0.2; done
done
