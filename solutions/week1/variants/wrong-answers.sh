#!/bin/sh
# verify: fail answer-passphrase answer-id answer-exit-code answer-pid1
# Plausible wrong answers: a made-up passphrase, the ID of another container, the code of
# a clean exit, and the shell instead of the program that runs as process 1.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
wrong_id=$(docker inspect --format '{{.Id}}' "$P-ticker" | cut -c1-12)
ip=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$P-mystery")
kernel=$(docker run --rm busybox:1.36 uname -r)
cat > answers.md <<ANSWERS
passphrase: brass-kettle
id: $wrong_id
ip: $ip
napper-exit-code: 0
kernel: $kernel
pid1: sh
ANSWERS
