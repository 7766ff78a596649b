#!/bin/sh
# verify: fail provider-not-direct
# orders is put on the partner network itself: payments still work through the
# ambassador, and orders can also reach the provider directly, which the task forbids.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
docker network connect "$LAB_PROJECT-partner" "$LAB_PROJECT-orders"
