#!/usr/bin/env bash
# Make sure the image `busybox:1.36` exists: pull it where a registry answers, else build it
# FROM scratch from Debian's busybox-static (a static binary; `--install -s` makes the applets).
# Idempotent; used by .ci/run and by the tests.
set -euo pipefail
IMAGE="${1:-busybox:1.36}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    exit 0
fi
if timeout 20 docker pull "$IMAGE" >/dev/null 2>&1; then
    exit 0
fi

bin=""
for candidate in /bin/busybox /usr/bin/busybox; do
    if [ -x "$candidate" ] && file -L "$candidate" 2>/dev/null | grep -q "statically linked"; then
        bin="$candidate"
        break
    fi
done
if [ -z "$bin" ]; then
    echo "ensure-busybox: installing Debian's busybox-static" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq busybox-static file >/dev/null
    bin=/bin/busybox
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$bin" "$ctx/busybox"
mkdir -p "$ctx/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ctx/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ctx/etc/group"
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
COPY etc/ /etc/
RUN ["/bin/busybox", "mkdir", "-p", "/usr/bin", "/sbin", "/usr/sbin", "/tmp", "/root", "/var/log", "/www"]
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "chmod", "1777", "/tmp"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
DOCKERFILE
echo "ensure-busybox: building $IMAGE from $bin" >&2
DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$ctx" >/dev/null
