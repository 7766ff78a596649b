#!/bin/sh
# deploy.sh IMAGE NAME OLD: one step of a rolling update, gated on health.
#   Start NAME from IMAGE outside the live pool, wait for it to be healthy, then move it
#   into the pool (alias "live") and stop OLD, which stays around for a rollback.
#   If NAME is not healthy in time: remove it, leave OLD alone, say "rolled back", exit 1.
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 IMAGE NAME OLD" >&2
    exit 2
fi
image=$1 name=$2 old=$3
project="${LAB_PROJECT:-week4}"
net="$project-default"
labels="--label io.lab.project=$project --label io.lab.lab=${LAB_ID:-week4} --label io.lab.course=container-orchestration"

docker rm -f "$name" >/dev/null 2>&1 || true
echo "deploy: starting $name from $image, outside the live pool"
if ! docker run -d $labels --name "$name" --network "$net" "$image" >/dev/null; then
    echo "deploy: rolled back: $name could not be started; $old keeps serving"
    exit 1
fi

# The health gate: poll the engine's health status for at most 20 seconds.
status=starting
i=0
while [ "$i" -lt 40 ]; do
    status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$name")
    case "$status" in
        healthy | unhealthy | none) break ;;
    esac
    sleep 0.5
    i=$((i + 1))
done

if [ "$status" != "healthy" ]; then
    docker logs "$name" 2>&1 | tail -n 3 | sed 's/^/deploy:   /'
    docker rm -f "$name" >/dev/null
    echo "deploy: rolled back: $name was $status; $old keeps serving"
    exit 1
fi

# Aliases are set when a container joins a network: leave it and join again, as "live".
docker network disconnect "$net" "$name"
docker network connect --alias live --alias "$name" "$net" "$name"
echo "deploy: $name is healthy and in the live pool"

# Now the old replica can leave the pool. Stopped, not removed: `docker start` undoes it.
docker stop "$old" >/dev/null
echo "deploy: $old stopped; roll back with: docker start $old && docker stop $name"
echo "deploy: done"
