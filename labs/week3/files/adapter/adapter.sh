#!/bin/sh
# Adapter: read the legacy counters (total=N;paid=N;failed=N) from the service it sits
# next to and publish them at :9100/metrics in the Prometheus text format.
source_url="${SOURCE_URL:-http://orders:8000/stats}"
www=/tmp/www
mkdir -p "$www"
echo "# no data yet" > "$www/metrics"
httpd -p 9100 -h "$www"
echo "adapter: reading $source_url, serving :9100/metrics"
trap 'exit 0' TERM INT

while true; do
    if legacy=$(timeout 3 wget -q -O - "$source_url" 2>/dev/null); then
        echo "$legacy" | tr ';' '\n' | awk -F= '
            $1 == "total"  { print "# TYPE orders_total counter"; print "orders_total " $2 }
            $1 == "paid"   { print "# TYPE orders_paid_total counter"; print "orders_paid_total " $2 }
            $1 == "failed" { print "# TYPE orders_failed_total counter"; print "orders_failed_total " $2 }
        ' > "$www/metrics.tmp" && mv "$www/metrics.tmp" "$www/metrics"
    else
        echo "adapter: $source_url does not answer"
    fi
    sleep 2
done
