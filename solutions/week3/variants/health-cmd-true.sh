#!/bin/sh
# verify: fail inventory-health-means-it
# A health check that always passes (`--health-cmd true`): healthy, and meaningless.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
docker rm -f week3-inventory >/dev/null
docker run -d --label "io.lab.project=$P" --name week3-inventory \
    --network "$P-backend" --network-alias inventory \
    --health-cmd true --health-interval 1s --health-retries 3 \
    busybox:1.36 sh -c 'mkdir -p /srv && echo "widgets in stock: 42" > /srv/index.html && exec httpd -f -p 8000 -h /srv' >/dev/null
until [ "$(docker inspect --format '{{.State.Health.Status}}' week3-inventory)" = healthy ]; do sleep 0.2; done
