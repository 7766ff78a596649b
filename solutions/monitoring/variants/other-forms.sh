#!/bin/sh
# verify: pass
# Correct, written differently: the exporters created first and attached to the metrics
# network by `docker network connect --alias`, their volumes mounted with --mount; the rule
# written as "app_up < 1 for 2s" with extra spaces and a comment, copied in as a tar
# stream; the volume mounted with --mount; restart policies "always" and "unless-stopped".
set -eu
P="$LAB_PROJECT"
for s in api worker; do
    docker create --name "monitoring-$s-exporter" --label "io.lab.project=$P" \
        --env "SERVICE=$s" \
        --mount "type=volume,source=$P-$s-stats,target=/stats,readonly" \
        monitoring-exporter:1.0 >/dev/null
    docker network disconnect bridge "monitoring-$s-exporter"
    docker network connect --alias exporter "$P-metrics" "monitoring-$s-exporter"
    docker start "monitoring-$s-exporter" >/dev/null
done
printf '# page someone\nalert   ServiceDown   if app_up <  1   for 2s   # a service stopped writing\n' > rules.txt
docker build -q -t monitoring-scraper "$LAB_COURSE_DIR/labs/$LAB_ID/files/scraper" >/dev/null 2>&1
docker run -d --name monitoring-scraper --label "io.lab.project=$P" --network "$P-metrics" \
    --mount "type=volume,source=$P-rules,target=/etc/scraper" \
    monitoring-scraper >/dev/null
tar -cf - rules.txt | docker cp - monitoring-scraper:/etc/scraper/
docker update --restart always "$P-api" >/dev/null
docker update --restart unless-stopped "$P-worker" >/dev/null
