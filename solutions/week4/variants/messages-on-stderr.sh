#!/bin/sh
# verify: pass
# Correct, written differently: deploy.sh says what went wrong on stderr, where error
# messages usually go ("rolled back" is said all the same).
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
sed 's/^\( *echo "deploy: rolled back.*"\)$/\1 >\&2/' deploy.sh > deploy.sh.new
grep -q 'rolled back.*>&2$' deploy.sh.new
mv deploy.sh.new deploy.sh
chmod +x deploy.sh
