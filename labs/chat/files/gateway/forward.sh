#!/bin/sh
# forward PATH: pass this CGI request on to http://relay:8000/cgi-bin/PATH. The gateway knows
# one name, relay; the network's DNS answers it with the address of every container that
# has that alias, in turn, so the requests are spread over the relays.
url="http://relay:8000/cgi-bin/$1?$QUERY_STRING"
if [ "$REQUEST_METHOD" = POST ]; then
    body=$(head -c "${CONTENT_LENGTH:-0}")
    answer=$(timeout 3 wget -q -O - --post-data "$body" "$url" 2>/dev/null)
else
    answer=$(timeout 3 wget -q -O - "$url" 2>/dev/null)
fi
if [ $? -eq 0 ]; then
    printf 'Content-Type: text/plain\r\n\r\n'
    [ -n "$answer" ] && printf '%s\n' "$answer"
else
    printf 'Status: 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n'
    echo "gateway: no answer from relay:8000"
fi
