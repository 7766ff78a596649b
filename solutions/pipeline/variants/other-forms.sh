#!/bin/sh
# verify: pass
# Correct, written differently: images tagged with the version, the tests run in a
# container made with `docker create`, started attached and removed by hand, the live slot
# found through `docker network inspect`, and the new slot created first and connected to
# the network afterwards.
set -eu
# The app, as a student copies it; the lab as it starts (blue live, no green yet).
cp -R "$LAB_COURSE_DIR/labs/$LAB_ID/files/app" app
cat > pipeline.sh <<'SCRIPT'
#!/bin/sh
P=${LAB_PROJECT:-pipeline}
NET=$P-default
tag=pipeline-app:v$(tr -d ' \n' < app/VERSION)
docker build -t "$tag" ./app > /dev/null || exit 1

t=$(docker create "$tag" sh /app/test.sh)
docker start -a "$t"
rc=$?
docker rm "$t" > /dev/null
if [ $rc -ne 0 ]; then
    echo "tests failed ($rc), not deploying $tag"
    exit 3
fi

current=$(docker network inspect "$NET" --format '{{range .Containers}}{{.Name}} {{end}}')
live=none
for slot in blue green; do
    case " $current " in *" $P-$slot "*) ;; *) continue ;; esac
    if docker inspect "$P-$slot" --format '{{json .NetworkSettings.Networks}}' | grep -q '"live"'; then live=$slot; fi
done
if [ "$live" = blue ]; then target=green; else target=blue; fi

docker rm -f "$P-$target" 2> /dev/null
docker create --name "$P-$target" --label "io.lab.project=$P" --label "io.lab.service=$target" "$tag" > /dev/null
docker network disconnect bridge "$P-$target"
docker network connect --alias "$target" "$NET" "$P-$target"
docker start "$P-$target" > /dev/null
deadline=$(( $(date +%s) + 20 ))
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$P-$target")" = healthy ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        docker rm -f "$P-$target" > /dev/null
        echo "$target never became healthy"
        exit 4
    fi
    sleep 0.3
done
docker network disconnect "$NET" "$P-$target"
docker network connect --alias "$target" --alias live "$NET" "$P-$target"
if [ "$live" != none ]; then
    docker network disconnect "$NET" "$P-$live"
    docker network connect --alias "$live" "$NET" "$P-$live"
fi
echo "live: $target ($tag)"
SCRIPT
chmod +x pipeline.sh
