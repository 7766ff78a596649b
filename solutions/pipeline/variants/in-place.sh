#!/bin/sh
# verify: fail previous-release-idle switch-without-downtime
# Not blue-green: the pipeline replaces the live container in place (remove it, run the
# new release under its name and alias). Live is gone while the new one starts, and the
# previous release is gone for good.
set -eu
# The app, as a student copies it; the lab as it starts (blue live, no green yet).
cp -R "$LAB_COURSE_DIR/labs/$LAB_ID/files/app" app
cat > pipeline.sh <<'SCRIPT'
#!/bin/sh
P=${LAB_PROJECT:-pipeline}
image=pipeline-app:$(find app -type f | sort | xargs cat | sha256sum | cut -c 1-12)
docker build -q -t "$image" app > /dev/null || exit 1
docker run --rm "$image" sh /app/test.sh || exit 1
slot=blue
if docker inspect --format '{{json .NetworkSettings.Networks}}' "$P-green" 2>/dev/null | grep -q '"live"'; then slot=green; fi
docker rm -f "$P-$slot" > /dev/null
docker run -d --name "$P-$slot" --label "io.lab.project=$P" --label "io.lab.service=$slot" \
    --network "$P-default" --network-alias live --network-alias "$slot" "$image" > /dev/null
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$P-$slot")" = healthy ]; do sleep 0.5; done
echo "pipeline: $image replaced $slot"
SCRIPT
chmod +x pipeline.sh
