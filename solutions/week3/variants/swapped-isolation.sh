#!/bin/sh
# verify: fail web-on-frontend users-off-frontend users-isolated inventory-hidden-from-web
# "Isolation" by taking web off the frontend and leaving users on it: web cannot reach
# users any more, but users is as exposed as before.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker network connect "$P-frontend" "$P-users"
docker network disconnect "$P-frontend" "$P-web"
