#!/bin/sh
# The week 4 shop app: GET /version says which release runs, GET /health says it is well.
#   SIGQUIT  graceful stop: finish the requests in flight, then exit 0
#   SIGTERM  immediate stop: drop everything, exit 143 (like nginx's "fast shutdown")
# It writes only under /tmp, so it can run on a read-only root filesystem with a tmpfs there.
version="${APP_VERSION:-v1}"
www=/tmp/www

mkdir -p "$www"
echo "$version" > "$www/version"
echo "shop $version" > "$www/index.html"
if [ "${APP_BROKEN:-no}" = "yes" ]; then
    echo "app $version: starting WITHOUT a health endpoint (a bad release)"
else
    echo ok > "$www/health"
fi

httpd -f -p 8080 -h "$www" &
server=$!

trap 'echo "app $version: SIGQUIT, finishing requests in flight"; sleep 1; kill "$server"; echo "app $version: drained, bye"; exit 0' QUIT
trap 'echo "app $version: SIGTERM, stopping immediately"; kill "$server"; exit 143' TERM

echo "app $version: listening on 8080 as uid $(id -u)"
wait "$server"
echo "app $version: the web server died"
exit 1
