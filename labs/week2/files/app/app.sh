#!/bin/sh
# The week 2 app. It serves the shared volume over HTTP on port 8000 and (re)loads
# /shared/app.conf whenever the file appears or changes, saying so in its logs.
conf=/shared/app.conf
trap 'echo "app: stopping"; exit 0' TERM INT

httpd -p 8000 -h /shared
echo "app: serving /shared on port 8000"

loaded=""
waiting=""
copy=/tmp/app.conf.read
while true; do
    # Read a copy: the file may be replaced or removed between two looks (the wizard's mv,
    # a check putting the configuration back), and `.` on a file that is gone ends a shell.
    if cp "$conf" "$copy" 2>/dev/null; then
        sum=$(md5sum < "$copy")
        if [ "$sum" != "$loaded" ]; then
            # In a subshell: a file that is not valid shell must not end the app either.
            if said=$(db_host="" db_port="" mode=""; . "$copy" >/dev/null 2>&1 &&
                echo "db=$db_host:$db_port, mode=$mode"); then
                echo "app: configuration loaded ($said)"
            else
                echo "app: $conf is not a valid configuration"
            fi
            loaded=$sum
        fi
    elif [ -z "$waiting" ]; then
        echo "app: waiting for $conf (run the configuration wizard)"
        waiting=yes
    fi
    sleep 0.2
done
