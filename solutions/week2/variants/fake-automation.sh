#!/bin/sh
# verify: fail automate-reconfigures automate-changes-nothing
# A fake automate.sh: it asks, and prints "automation: OK" without doing anything. It must
# not get the points for reconfiguring the app.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
cat > automate.sh <<'SCRIPT'
#!/bin/sh
printf 'Reconfigure the app? [y/N] '
read -r answer
case "$answer" in
    y) echo "automation: OK" ;;
    *) echo "aborted" ;;
esac
SCRIPT
chmod +x automate.sh
