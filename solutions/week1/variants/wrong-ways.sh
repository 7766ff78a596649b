#!/bin/sh
# verify: fail hello-said-hello greeter-ran writer-gone
# Three plausible mistakes: hello says more than the greeting; the greeter is given its
# command on the command line instead of using the image's; the writer is kept (no --rm)
# and the note is written from the reader instead.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
L="--label io.lab.project=$P"
docker rm -f week1-hello week1-greeter >/dev/null
docker run $L --name week1-hello busybox:1.36 echo "Hello from week1, and goodbye" >/dev/null
docker run $L --name week1-greeter week1-greeter:1.0 sh -c 'echo Greetings from my first image' >/dev/null
docker run $L --name week1-writer -v week1-data:/data busybox:1.36 true
docker exec week1-reader sh -c 'echo "written by week1-writer" > /data/note.txt'
