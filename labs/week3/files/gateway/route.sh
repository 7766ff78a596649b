#!/bin/sh
# Forward a request to a backend service by its name. The gateway knows only names; the
# network's DNS knows where the services are (and which ones exist at all).
svc="$1"
port="${2:-8000}"
if body=$(timeout 3 wget -q -O - "http://$svc:$port/" 2>/dev/null); then
    printf 'Content-Type: text/plain\r\n\r\n%s\n' "$body"
else
    printf 'Status: 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n'
    printf 'gateway: no answer from %s:%s\n' "$svc" "$port"
fi
