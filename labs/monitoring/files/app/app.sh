#!/bin/sh
# A service of the shop. It serves traffic, and every second writes its figures to
# /stats/stats:
#   requests_total N     requests served so far (kept across restarts)
#   heartbeat EPOCH      when it last wrote: a service that stops writing is down
# Like a database, it notes a clean shutdown; after a crash it first recovers, which takes
# RECOVERY seconds (8 by default), before it serves again.
service="${SERVICE:-app}"
stats=/stats/stats
trap 'echo "$service: stopping"; touch /stats/clean-stop; exit 0' TERM INT

mkdir -p /stats
total=$(sed -n 's/^requests_total //p' "$stats" 2>/dev/null)
total=${total:-0}
if [ -f "$stats" ] && [ ! -f /stats/clean-stop ]; then
    echo "$service: it was not stopped cleanly; recovering (${RECOVERY:-8}s)"
    sleep "${RECOVERY:-8}" &
    wait $!
fi
rm -f /stats/clean-stop
echo "$service: ready, $total requests served so far"
while true; do
    total=$((total + RANDOM % 5 + 1))
    printf 'requests_total %s\nheartbeat %s\n' "$total" "$(date +%s)" > "$stats.tmp"
    mv "$stats.tmp" "$stats"
    sleep 1 &
    wait $!
done
