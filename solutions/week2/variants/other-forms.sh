#!/bin/sh
# verify: pass
# Correct, written differently: the automation feeds the wizard with a here-document and
# accepts "Y" and "yes"; app.log carries timestamps from `date -Iseconds` instead of
# `docker logs -t`.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
cat > automate.sh <<'SCRIPT'
#!/bin/sh
app="${LAB_PROJECT:-week2}-app"
printf 'Reconfigure %s now? [y/N] ' "$app"
read -r answer || answer=""
case "$answer" in
    [yY] | [yY][eE][sS]) ;;
    *) echo "aborted (nothing changed)"; exit 0 ;;
esac
docker exec -i "$app" sh /opt/app/configure.sh >/dev/null <<ANSWERS
db
5432
production
yes
ANSWERS
if docker exec "$app" grep -q '^mode=production$' /shared/app.conf; then
    echo "automation: OK"
else
    echo "automation: FAILED"
    exit 1
fi
SCRIPT
chmod +x automate.sh
docker logs "$LAB_PROJECT-app" 2>&1 | while IFS= read -r line; do
    printf '%s %s\n' "$(date -Iseconds)" "$line"
done > app.log
