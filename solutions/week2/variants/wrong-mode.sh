#!/bin/sh
# verify: fail config-written session-sees-config app-loaded-config
# The wizard answered with mode "development" in the end: the configuration the task asks
# for is gone (and what needs it is blocked).
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
printf 'db\n5432\ndevelopment\nyes\n' | docker exec -i "$LAB_PROJECT-app" sh /opt/app/configure.sh >/dev/null
