#!/bin/sh
# The app's configuration wizard: asks its questions one at a time, checks the answers,
# and writes /shared/app.conf. Meant for a person at a terminal; week 2 automates it.
conf=/shared/app.conf

echo "== app configuration wizard =="
while true; do
    printf 'Database host: '
    read -r host || { echo; echo "wizard: no more input, giving up"; exit 1; }
    printf 'Database port [5432]: '
    read -r port || { echo; echo "wizard: no more input, giving up"; exit 1; }
    port=${port:-5432}
    if [ -n "$host" ] && echo | nc -w 1 "$host" "$port" >/dev/null 2>&1; then
        echo "ok: $host:$port answers"
        break
    fi
    echo "error: nothing answers at $host:$port, try again"
done

while true; do
    printf 'Mode (development/production): '
    read -r mode || { echo; echo "wizard: no more input, giving up"; exit 1; }
    case "$mode" in
        development | production) break ;;
    esac
    echo "error: type development or production"
done

printf 'Write %s? (yes/no): ' "$conf"
read -r answer || answer=""
if [ "$answer" != "yes" ]; then
    echo "nothing written"
    exit 1
fi
# Write a temporary file and rename it: readers never see a half-written file.
tmp=$(mktemp /shared/.app.conf.XXXXXX)
printf 'db_host=%s\ndb_port=%s\nmode=%s\n' "$host" "$port" "$mode" > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$conf"
echo "saved $conf"
