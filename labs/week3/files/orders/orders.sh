#!/bin/sh
# orders: a legacy service. Every two seconds it takes an order and asks the payments
# API to charge it. It expects that API at payments:9000, a name on its own network. It
# writes each outcome to a log file (not to a log collector), and keeps its counters at
# /stats in a home-made format, not one a monitoring system understands.
host="${PAYMENTS_HOST:-payments}"
port="${PAYMENTS_PORT:-9000}"
log=/var/log/orders/orders.log

mkdir -p /srv "$(dirname "$log")"
echo "orders service" > /srv/index.html
httpd -p 8000 -h /srv
trap 'echo "orders: stopping"; exit 0' TERM INT

total=0 paid=0 failed=0
while true; do
    total=$((total + 1))
    reply=$(echo | nc -w 1 "$host" "$port" 2>/dev/null)
    if [ -n "$reply" ]; then
        paid=$((paid + 1))
        line="order $total: paid ($reply)"
    else
        failed=$((failed + 1))
        line="order $total: payment failed, nothing answers at $host:$port"
    fi
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line" >> "$log"
    echo "orders: $line"
    printf 'total=%s;paid=%s;failed=%s\n' "$total" "$paid" "$failed" > /srv/stats.tmp
    mv /srv/stats.tmp /srv/stats
    sleep 2
done
