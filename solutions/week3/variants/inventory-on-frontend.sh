#!/bin/sh
# verify: fail inventory-hidden-from-web
# inventory is also put on the frontend network with its alias: the gateway's route
# works, and web can reach the backend service directly.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker network connect --alias inventory "$P-frontend" "$P-inventory"
