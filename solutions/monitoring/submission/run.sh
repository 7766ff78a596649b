#!/usr/bin/env bash
# Reference solution for the monitoring capstone: what a student does, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files (run.sh, rules.txt), on a fresh lab; `lab verify` runs it through
# ../solve.sh. LAB_ID, LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-monitoring}"
ID="${LAB_ID:-monitoring}"
L="--label io.lab.project=$P --label io.lab.lab=$ID --label io.lab.course=container-orchestration"
LABDIR="${LAB_COURSE_DIR:-.}/labs/monitoring"
[ -d "$LABDIR" ] || { echo "LAB_COURSE_DIR is not the course folder" >&2; exit 1; }

docker rm -f monitoring-api-exporter monitoring-worker-exporter monitoring-scraper >/dev/null 2>&1 || true

# Task 1: an exporter sidecar per service, reading its volume read-only, found as exporter.
for s in api worker; do
    docker run -d $L --name "monitoring-$s-exporter" \
        -e "SERVICE=$s" -v "$P-$s-stats:/stats:ro" \
        --network "$P-metrics" --network-alias exporter \
        monitoring-exporter:1.0 >/dev/null
done

# Task 2: the scraper, built from the lab's files, its configuration in the rules volume.
docker build -q -t monitoring-scraper "$LABDIR/files/scraper" >/dev/null
docker run -d $L --name monitoring-scraper \
    --network "$P-metrics" \
    -v "$P-rules:/etc/scraper" \
    monitoring-scraper >/dev/null

# Task 3: the rule (one of the submission's files), copied into the scraper's volume, and
# restart policies, so that a crashed service comes back by itself.
docker cp rules.txt monitoring-scraper:/etc/scraper/rules.txt
docker update --restart on-failure "$P-api" "$P-worker" >/dev/null

# Watch it come together, as a student would: every target up, the rule understood.
i=0
until [ "$(docker exec monitoring-scraper sh -c 'wget -q -O - http://127.0.0.1:9090/metrics | grep -c "^app_up.* 1$"')" = 3 ]; do
    i=$((i + 1))
    [ "$i" -lt 60 ] || { echo "the scraper never saw three services up" >&2; break; }
    sleep 0.5
done
docker exec monitoring-scraper sh -c 'wget -q -O - http://127.0.0.1:9090/targets; wget -q -O - http://127.0.0.1:9090/rules'
