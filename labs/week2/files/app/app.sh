#!/bin/sh
# The week 2 app. It serves the shared volume over HTTP on port 8000 and (re)loads
# /shared/app.conf whenever the file appears or changes, saying so in its logs.
conf=/shared/app.conf
trap 'echo "app: stopping"; exit 0' TERM INT

httpd -p 8000 -h /shared
echo "app: serving /shared on port 8000"

loaded=""
waiting=""
while true; do
    if [ -f "$conf" ]; then
        sum=$(md5sum "$conf" | cut -d ' ' -f 1)
        if [ "$sum" != "$loaded" ]; then
            db_host="" db_port="" mode=""
            . "$conf"
            echo "app: configuration loaded (db=$db_host:$db_port, mode=$mode)"
            loaded=$sum
        fi
    elif [ -z "$waiting" ]; then
        echo "app: waiting for $conf (run the configuration wizard)"
        waiting=yes
    fi
    sleep 0.2
done
