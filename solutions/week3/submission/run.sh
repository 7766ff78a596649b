#!/usr/bin/env bash
# Reference solution for week3 (advanced patterns): what a student does, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files, on a fresh lab; `lab verify` runs it through ../solve.sh. LAB_ID,
# LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-week3}"
ID="${LAB_ID:-week3}"
L="--label io.lab.project=$P --label io.lab.lab=$ID --label io.lab.course=container-orchestration"
# The lab's folder, for the adapter's build context.
LABDIR="${LAB_COURSE_DIR:-.}/labs/week3"
[ -d "$LABDIR" ] || { echo "LAB_COURSE_DIR is not the course folder" >&2; exit 1; }

docker rm -f week3-inventory week3-log-shipper week3-payments-ambassador week3-adapter >/dev/null 2>&1 || true

# Tasks 1 and 2: inventory, with a health check and the alias the gateway looks for.
docker run -d $L --name week3-inventory \
    --network "$P-backend" --network-alias inventory \
    --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8000/ || exit 1' \
    --health-interval 1s --health-timeout 2s --health-retries 3 \
    busybox:1.36 sh -c 'mkdir -p /srv && echo "widgets in stock: 42" > /srv/index.html && exec httpd -f -p 8000 -h /srv' >/dev/null

# Task 3: users leaves the frontend network (it keeps the backend one).
docker network disconnect "$P-frontend" "$P-users" 2>/dev/null || true

# Task 4: a sidecar that reads the orders log (read-only) and prints it.
docker run -d $L --name week3-log-shipper \
    -v "$P-orders-logs:/var/log/orders:ro" \
    busybox:1.36 tail -F /var/log/orders/orders.log >/dev/null

# Task 5: an ambassador known as payments on the backend, forwarding to the partner network.
docker run -d $L --name week3-payments-ambassador \
    --network "$P-backend" --network-alias payments \
    busybox:1.36 nc -ll -p 9000 -e nc provider 9000 >/dev/null
docker network connect "$P-partner" week3-payments-ambassador

# Task 6: the adapter, built from the lab's files, known as metrics on the backend.
docker build -q -t week3-adapter "$LABDIR/files/adapter" >/dev/null
docker run -d $L --name week3-adapter \
    --network "$P-backend" --network-alias metrics \
    week3-adapter >/dev/null

# Wait for inventory's first health probe, as a student would watch `docker ps`.
i=0
until [ "$(docker inspect --format '{{.State.Health.Status}}' week3-inventory)" = healthy ]; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || { echo "inventory never became healthy" >&2; exit 1; }
    sleep 0.2
done
docker ps --filter "label=io.lab.project=$P" --format 'table {{.Names}}\t{{.Status}}'
