#!/bin/sh
# verify: fail api-restart-policy alert-clears
# api keeps the default restart policy ("no"): the alert fires when it is killed, and
# nothing brings it back.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null 2>&1
docker update --restart no "$LAB_PROJECT-api" >/dev/null
