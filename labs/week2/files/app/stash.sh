#!/bin/sh
# Used by lab's checks of task 3, not by students: a check that runs your automate.sh first
# sets the configuration to something else (so that a change can be seen), and afterwards
# puts your own configuration back exactly as it was.
#   stash.sh save MODE   keep a copy of /shared/app.conf (or note that there was none), then
#                        write a valid configuration in MODE
#   stash.sh restore     put the copy back (or remove the file if there was none)
conf=/shared/app.conf
keep=/tmp/lab-stash
case "$1" in
    save)
        if [ ! -d "$keep" ]; then
            mkdir -p "$keep"
            if [ -f "$conf" ]; then cp -p "$conf" "$keep/app.conf"; fi
        fi
        printf 'db_host=db\ndb_port=5432\nmode=%s\n' "${2:-staging}" > "$conf.lab" && mv "$conf.lab" "$conf"
        ;;
    restore)
        [ -d "$keep" ] || exit 0
        if [ -f "$keep/app.conf" ]; then mv "$keep/app.conf" "$conf"; else rm -f "$conf"; fi
        rm -rf "$keep"
        ;;
    *)
        echo "usage: stash.sh save MODE | restore" >&2
        exit 2
        ;;
esac
