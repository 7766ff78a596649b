#!/bin/sh
# verify: fail relays-off-edge
# The relays are left on the edge network without their alias: clients cannot resolve
# relay, but can still reach chat-relay-1 by its name, past the gateway.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
for n in 1 2; do
    docker network connect "$P-edge" "$P-relay-$n"
done
