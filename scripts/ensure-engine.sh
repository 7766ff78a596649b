#!/usr/bin/env bash
# Make sure a Docker engine answers: start dockerd when `docker info` fails, installing
# Debian's docker.io first when it is missing. Idempotent; used by .ci/run and by developers.
set -euo pipefail

if docker info >/dev/null 2>&1; then
    exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
    echo "ensure-engine: installing Debian's docker.io" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "ensure-engine: starting dockerd" >&2
    args=()
    # Nested machines often lack overlayfs; fuse-overlayfs works where it is installed.
    if [ ! -f /etc/docker/daemon.json ] && command -v fuse-overlayfs >/dev/null 2>&1; then
        args+=(--storage-driver fuse-overlayfs)
    fi
    nohup dockerd "${args[@]}" >/tmp/lab-dockerd.log 2>&1 &
fi

for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then
        exit 0
    fi
    sleep 0.5
done
echo "ensure-engine: the Docker engine did not come up; its log:" >&2
tail -n 40 /tmp/lab-dockerd.log >&2 || true
exit 1
