#!/bin/sh
# Reconfigure the week 2 app with nobody at the wizard: the answers are piped into it.
# It changes a running system, so it asks for confirmation first.
set -u
project="${LAB_PROJECT:-week2}"
app="$project-app"

printf 'Reconfigure the app of %s? [y/N] ' "$project"
read -r answer || answer=""
case "$answer" in
    y | Y | yes) ;;
    *)
        echo "aborted: nothing changed"
        exit 0
        ;;
esac

# -i without -t: the wizard reads our answers from the pipe, one line per question.
if ! printf 'db\n5432\nproduction\nyes\n' | docker exec -i "$app" sh /opt/app/configure.sh; then
    echo "automation: FAILED (the wizard did not finish)"
    exit 1
fi

# Trust, but verify: read the configuration back from the container.
got=$(docker exec "$app" sh -c '. /shared/app.conf && echo "$db_host:$db_port/$mode"')
if [ "$got" = "db:5432/production" ]; then
    echo "automation: OK ($got)"
else
    echo "automation: FAILED (the app's configuration says $got)"
    exit 1
fi
