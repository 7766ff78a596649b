#!/bin/sh
# verify: pass
# Correct, written differently: inventory's health check uses localhost and `wget -O -`,
# its alias is given by `docker network connect --alias`; the shipper mounts the volume
# with --mount and follows the file with `tail -f`; the ambassador joins both networks by
# connect.
set -eu
P="$LAB_PROJECT"
L="--label io.lab.project=$P"
LABDIR="$LAB_COURSE_DIR/labs/week3"
docker run -d $L --name week3-inventory \
    --health-cmd 'wget -q -O - http://localhost:8000/index.html >/dev/null' \
    --health-interval 1s --health-retries 5 \
    busybox:1.36 sh -c 'mkdir -p /srv && echo "widgets in stock: 42" > /srv/index.html && httpd -f -p 8000 -h /srv' >/dev/null
docker network disconnect bridge week3-inventory
docker network connect --alias inventory "$P-backend" week3-inventory
docker network disconnect "$P-frontend" "$P-users"
docker run -d $L --name week3-log-shipper \
    --mount "type=volume,source=$P-orders-logs,target=/var/log/orders,readonly" \
    busybox:1.36 sh -c 'until [ -f /var/log/orders/orders.log ]; do sleep 1; done; exec tail -f /var/log/orders/orders.log' >/dev/null
docker create $L --name week3-payments-ambassador busybox:1.36 nc -ll -p 9000 -e nc provider 9000 >/dev/null
docker network connect --alias payments "$P-backend" week3-payments-ambassador
docker network connect "$P-partner" week3-payments-ambassador
docker network disconnect bridge week3-payments-ambassador
docker start week3-payments-ambassador >/dev/null
docker build -q -t week3-adapter "$LABDIR/files/adapter" >/dev/null
docker run -d $L --name week3-adapter week3-adapter >/dev/null
docker network disconnect bridge week3-adapter
docker network connect --alias metrics "$P-backend" week3-adapter
until [ "$(docker inspect --format '{{.State.Health.Status}}' week3-inventory)" = healthy ]; do sleep 0.2; done
