#!/bin/sh
# The greeting service, on port 8080:
#   GET /version   the release, from VERSION
#   GET /greeting  the greeting, from greeting.txt
#   GET /health    "ok" while the server runs (what the image's HEALTHCHECK probes)
# Like most real services it is not ready at once: it takes a second to start.
www=/tmp/www
mkdir -p "$www"
tr -d ' \n' < /app/VERSION > "$www/version"
cat /app/greeting.txt > "$www/greeting"
echo ok > "$www/health"
echo "app $(cat "$www/version"): starting"
sleep 1
echo "app $(cat "$www/version"): listening on 8080"
exec httpd -f -p 8080 -h "$www"
