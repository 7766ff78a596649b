#!/usr/bin/env bash
# Reference solution for week2 (automation): what a student does, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files, on a fresh lab; `lab verify` runs it through ../solve.sh. LAB_ID,
# LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-week2}"
ID="${LAB_ID:-week2}"
L="--label io.lab.project=$P --label io.lab.lab=$ID --label io.lab.course=container-orchestration"

# Task 1: the migrate init container already ran; look at it, then write our own.
docker logs "$P-migrate"
docker rm -f week2-seed >/dev/null 2>&1 || true
docker run $L --name week2-seed --network "$P-default" -v "$P-shared:/shared" busybox:1.36 sh -c '
    until echo | nc -w 1 db 5432 >/dev/null 2>&1; do
        echo "seed: waiting for db:5432"
        sleep 1
    done
    echo "<h1>Seeded by an init container</h1>" > /shared/index.html
    echo "seed: wrote /shared/index.html"'

# Task 2: a student answers the wizard at the keyboard (docker exec -it ... sh
# /opt/app/configure.sh); without a keyboard we type the same answers through a pipe.
printf 'db\n5432\nproduction\nyes\n' | docker exec -i "$P-app" sh /opt/app/configure.sh

# Task 3: the automation script, confirmed once to show it works.
chmod +x ./automate.sh   # one of the submission's files
echo y | ./automate.sh

# Task 4: wait until the app has loaded the file (it looks five times a second), then save
# its logs with timestamps.
i=0
until docker logs "$P-app" 2>&1 | grep -q "configuration loaded"; do
    i=$((i + 1))
    [ "$i" -lt 50 ] || { echo "the app never loaded its configuration" >&2; exit 1; }
    sleep 0.2
done
docker logs -t "$P-app" > app.log 2>&1
cat app.log
