#!/bin/sh
# The chat client, talking to the gateway at $CHAT_SERVER (default gateway:8080):
#   chat NAME              join as NAME: the last 10 messages, then every new one as it
#                          arrives; each line you type is sent; /quit leaves
#   chat send NAME TEXT    send one message
#   chat history           print every message
server="${CHAT_SERVER:-gateway:8080}"

send() {  # send NAME TEXT
    timeout 5 wget -q -O - --post-data "$2" "http://$server/cgi-bin/send?from=$1"
}
history() {  # history SINCE
    timeout 5 wget -q -O - "http://$server/cgi-bin/history?since=$1"
}

case "${1:-}" in
    "" | -h | --help)
        echo "usage: chat NAME | chat send NAME TEXT | chat history" >&2
        exit 2
        ;;
    history)
        history 0
        exit
        ;;
    send)
        [ $# -ge 3 ] || { echo "usage: chat send NAME TEXT" >&2; exit 2; }
        name=$2
        shift 2
        send "$name" "$*" >/dev/null || { echo "chat: could not send through $server" >&2; exit 1; }
        exit 0
        ;;
esac

name=$1
if ! all=$(history 0); then
    echo "chat: nothing answers at $server" >&2
    exit 1
fi
echo "chat: joined as $name through $server (type /quit to leave)"
# The last 10 messages, then a poller that prints new ones as they come.
printf '%s\n' "$all" | tail -n 10 | grep . | cut -d ' ' -f 2-
seen=$(printf '%s\n' "$all" | tail -n 1 | cut -d ' ' -f 1)
seen=${seen:-0}
(
    while true; do
        sleep 0.3
        new=$(history "$seen") || continue
        [ -n "$new" ] || continue
        printf '%s\n' "$new" | cut -d ' ' -f 2-
        seen=$(printf '%s\n' "$new" | tail -n 1 | cut -d ' ' -f 1)
    done
) &
poller=$!
trap 'kill $poller 2>/dev/null' EXIT
while IFS= read -r line; do
    case "$line" in
        /quit) break ;;
        "") ;;
        *) send "$name" "$line" >/dev/null || echo "chat: not sent, nothing answers at $server" ;;
    esac
done
kill "$poller" 2>/dev/null
echo "chat: $name left"
