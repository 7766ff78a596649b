#!/bin/sh
# verify: fail deploy-rolls-back
# A deploy.sh without a health gate: it puts every release live, the broken one too.
set -eu
sh "$LAB_COURSE_DIR/solutions/$LAB_ID/solve.sh" >/dev/null
cat > deploy.sh <<'SCRIPT'
#!/bin/sh
image=$1 name=$2 old=$3
net="${LAB_PROJECT:-week4}-default"
docker rm -f "$name" >/dev/null 2>&1 || true
docker run -d --label "io.lab.project=${LAB_PROJECT:-week4}" --name "$name" \
    --network "$net" --network-alias live "$image" >/dev/null
docker stop "$old" >/dev/null
echo "deploy: $name is live"
SCRIPT
chmod +x deploy.sh
