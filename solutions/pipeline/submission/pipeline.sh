#!/bin/sh
# pipeline.sh: a local CI/CD pipeline. Run it from the folder that holds app/, after each
# commit (a change under app/): build, test in a throwaway container, deploy blue-green.
set -u
P="${LAB_PROJECT:-pipeline}"
net="$P-default"
labels="--label io.lab.project=$P --label io.lab.lab=${LAB_ID:-pipeline} --label io.lab.course=container-orchestration"
say() { echo "pipeline: $*"; }

if [ ! -f app/Dockerfile ]; then
    say "there is no app/ here; copy it: cp -R \"\$(lab files pipeline)/app\" ."
    exit 2
fi

# 1. Build. The commit is named by a digest of what is under app/.
commit=$(find app -type f | sort | xargs cat | sha256sum | cut -c 1-12)
image="pipeline-app:$commit"
say "commit $commit: building $image"
if ! docker build -q -t "$image" app >/dev/null; then
    say "the build failed; live is unchanged"
    exit 1
fi

# 2. Test, in a throwaway container made from the image under test (--rm: whatever the
#    result, nothing stays).
say "testing $image"
if output=$(docker run --rm "$image" sh /app/test.sh 2>&1); then
    printf '%s\n' "$output" | sed 's/^/pipeline:   /'
else
    printf '%s\n' "$output" | sed 's/^/pipeline:   /'
    say "the tests failed: $commit is not deployed; live is unchanged"
    docker rmi "$image" >/dev/null 2>&1 || true   # a failed build is not kept
    exit 1
fi

# 3. Which slot is live? The engine knows: the one with the alias live.
aliases() { docker inspect --format "{{with index .NetworkSettings.Networks \"$net\"}}{{.Aliases}}{{end}}" "$P-$1" 2>/dev/null; }
if aliases blue | grep -qw live; then
    live=blue idle=green
elif aliases green | grep -qw live; then
    live=green idle=blue
else
    live="" idle=blue
fi
say "live is ${live:-nobody}; deploying $commit to $idle"

# 4. Deploy to the idle slot, outside live, and wait for its health.
docker rm -f "$P-$idle" >/dev/null 2>&1 || true
docker run -d $labels --label "io.lab.service=$idle" --name "$P-$idle" \
    --network "$net" --network-alias "$idle" "$image" >/dev/null
status=starting
i=0
while [ "$i" -lt 40 ]; do
    status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$P-$idle")
    case "$status" in healthy | unhealthy | none) break ;; esac
    sleep 0.5
    i=$((i + 1))
done
if [ "$status" != healthy ]; then
    docker rm -f "$P-$idle" >/dev/null
    say "$idle was $status: not switched; live is unchanged"
    exit 1
fi

# 5. The switch: the new slot joins live, then the old one leaves it and stays, idle.
docker network disconnect "$net" "$P-$idle"
docker network connect --alias live --alias "$idle" "$net" "$P-$idle"
if [ -n "$live" ]; then
    docker network disconnect "$net" "$P-$live"
    docker network connect --alias "$live" "$net" "$P-$live"
fi
say "$commit is live on $idle${live:+; $live keeps the previous release (to roll back: switch live back to it)}"
