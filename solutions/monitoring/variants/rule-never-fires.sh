#!/bin/sh
# verify: fail alert-fires alert-clears
# A rule that watches the wrong figure: a dead service's request counter stays where it
# was, it does not drop to 0, so the alert never fires.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null 2>&1
echo 'alert ServiceDown if app_requests_total == 0 for 2s' > rules.txt
docker cp rules.txt monitoring-scraper:/etc/scraper/rules.txt
