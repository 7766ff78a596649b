#!/bin/sh
# verify: pass
# Correct answers, written as people write Markdown: a list, bold keys, backticks and
# quotes around values, a remark in parentheses, other capitals, Windows line endings.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
P="$LAB_PROJECT"
id=$(docker inspect --format '{{.Id}}' "$P-mystery" | cut -c1-16)
ip=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$P-mystery")
kernel=$(docker run --rm busybox:1.36 uname -r)
printf '%s\r\n' \
    '# My answers' \
    '' \
    '- **Passphrase:** `Copper-Kettle`' \
    "- id: \`$id\`" \
    "* IP: \"$ip\"" \
    '1. napper-exit-code: 137 (SIGKILL, after the 10 s grace period)' \
    "2. **kernel**: \`$kernel\`" \
    '3. pid1: `/bin/nc`' > answers.md
