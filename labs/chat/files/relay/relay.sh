#!/bin/sh
# The chat relay. Its web server (busybox httpd, port 8000) answers:
#   POST /cgi-bin/send?from=NAME   the request's body is the text; appends "NAME: text"
#   GET  /cgi-bin/history?since=N  every message after number N, one per line: "N NAME: text"
#   GET  /cgi-bin/health           200 "ok" when the relay can write to its store, else 503
# The store is one file, /data/messages. Several relays may share it: each message is
# one line, appended in one write.
#
# Note what the main process is: not the web server, but this script, which only waits.
# If the web server dies, the container keeps running and answers nothing. Running is not
# the same as healthy.
store=/data
mkdir -p "$store" && touch "$store/messages"
echo "relay $(hostname): store $store holds $(wc -l < "$store/messages") messages"
httpd -p 8000 -h /www
echo "relay $(hostname): listening on 8000"
trap 'echo "relay $(hostname): stopping"; exit 0' TERM INT
while true; do
    sleep 5 &
    wait $!
done
