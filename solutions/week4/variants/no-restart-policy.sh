#!/bin/sh
# verify: fail queue-has-policy queue-recovers
# The queue keeps the default restart policy ("no"): a crash leaves it dead.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
docker update --restart no "$LAB_PROJECT-queue" >/dev/null
