#!/usr/bin/env bash
# Reference solution for week1 (container basics): what a student types, in order.
# The submission's run.sh: `lab grade` runs it (bash) in a scratch workspace holding the
# submission's files, on a fresh lab; `lab verify` runs it through ../solve.sh. LAB_ID,
# LAB_PROJECT and LAB_COURSE_DIR are set by both.
set -eu

P="${LAB_PROJECT:-week1}"
ID="${LAB_ID:-week1}"
# Everything this script creates carries the lab's labels, so `lab stop` removes it.
L="--label io.lab.project=$P --label io.lab.lab=$ID --label io.lab.course=container-orchestration"

# Remove what an earlier run may have left, so the script can run twice.
docker rm -f week1-hello week1-web week1-created week1-reader week1-greeter >/dev/null 2>&1 || true

# Task 1: first containers.
docker run $L --name week1-hello busybox:1.36 echo "Hello from week1"
docker run -d $L --name week1-web -p 8080 -w /srv busybox:1.36 httpd -f -p 8080 -h /srv >/dev/null
docker exec week1-web sh -c 'echo "<h1>Welcome to week1-web</h1>" > /srv/index.html'
docker port week1-web 8080

# Task 2: one container in each state.
docker create $L --name week1-created busybox:1.36 sleep 600 >/dev/null
docker pause "$P-ticker" 2>/dev/null || true          # already paused on a second run
docker stop "$P-napper" >/dev/null                      # takes 10 s: sleep ignores SIGTERM as PID 1
docker rm -f "$P-leftover" >/dev/null 2>&1 || true

# Task 3: investigate.
passphrase=$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$P-mystery" |
    sed -n 's/^PASSPHRASE=//p')
id=$(docker inspect --format '{{.Id}}' "$P-mystery" | cut -c1-12)
ip=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$P-mystery")
code=$(docker inspect --format '{{.State.ExitCode}}' "$P-napper")

# Task 4: the kernel is the host's; PID 1 is the container's main process.
kernel=$(docker run --rm busybox:1.36 uname -r)
pid1=$(docker exec "$P-mystery" ps -o pid,comm | awk '$1 == 1 { print $2 }')

cat > answers.md <<EOF
passphrase: $passphrase
id: $id
ip: $ip
napper-exit-code: $code
kernel: $kernel
pid1: $pid1
EOF
cat answers.md

# Task 5: a network, a volume, a writer that leaves, a reader that stays.
docker network inspect week1-net >/dev/null 2>&1 || docker network create $L week1-net >/dev/null
docker volume inspect week1-data >/dev/null 2>&1 || docker volume create $L week1-data >/dev/null
docker run --rm --name week1-writer -v week1-data:/data busybox:1.36 \
    sh -c 'echo "written by week1-writer" > /data/note.txt'
docker run -d $L --name week1-reader --network week1-net -v week1-data:/data busybox:1.36 sleep 3600 >/dev/null
docker network connect week1-net week1-web
docker exec week1-reader cat /data/note.txt
docker exec week1-reader wget -q -O - http://week1-web:8080/

# Task 6: an image of our own.
# greeter/Dockerfile is one of the submission's files.
docker build -q -t week1-greeter:1.0 greeter >/dev/null
docker run $L --name week1-greeter week1-greeter:1.0
