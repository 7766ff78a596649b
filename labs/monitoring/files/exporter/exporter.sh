#!/bin/sh
# Exporter sidecar: reads /stats/stats (the service's own figures, on a volume the two
# share) and publishes them at :9100/metrics, refreshed every second:
#   app_up{service="S"} 1 when the service wrote its heartbeat in the last 2 seconds, else 0
#   app_requests_total{service="S"} N
#   app_heartbeat_age_seconds{service="S"} seconds since that heartbeat (-1: never)
service="${SERVICE:-app}"
stats=/stats/stats
www=/tmp/www
mkdir -p "$www"
echo "# no data yet" > "$www/metrics"
httpd -p 9100 -h "$www"
echo "exporter for $service: reading $stats, serving :9100/metrics"
trap 'exit 0' TERM INT

while true; do
    now=$(date +%s)
    cat "$stats" 2>/dev/null | awk -v s="$service" -v now="$now" '
        $1 == "requests_total" { total = $2 }
        $1 == "heartbeat" { beat = $2 }
        END {
            age = (beat == "") ? -1 : now - beat
            up = (age >= 0 && age <= 2) ? 1 : 0
            print "# HELP app_up 1 when the service is alive (a heartbeat in the last 2 seconds)"
            print "# TYPE app_up gauge"
            printf "app_up{service=\"%s\"} %d\n", s, up
            print "# TYPE app_requests_total counter"
            printf "app_requests_total{service=\"%s\"} %d\n", s, total
            print "# TYPE app_heartbeat_age_seconds gauge"
            printf "app_heartbeat_age_seconds{service=\"%s\"} %d\n", s, age
        }' > "$www/metrics.tmp"
    mv "$www/metrics.tmp" "$www/metrics"
    sleep 1 &
    wait $!
done
