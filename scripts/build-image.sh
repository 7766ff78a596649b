#!/usr/bin/env bash
# Builds the CI image (packaging/Dockerfile) from the static musl binary of `lab`.
#
# usage: scripts/build-image.sh [--lab PATH] [--docker PATH|none] [--bash PATH] [--tag TAG]
#                               [--base IMAGE]
#
#   --lab     the binary (default: CARGO_TARGET_DIR's x86_64-unknown-linux-musl/dist/lab,
#             as scripts/release.sh builds it; build it first)
#   --docker  the docker CLI put in the image (default: the one on PATH). A dynamically
#             linked one (Debian's) comes with the libraries it loads; a static one (the
#             release workflow downloads Docker's static build) alone. `none`: no docker
#             CLI, for courses whose submissions' scripts do not call it.
#   --bash    a static bash, /bin/bash in the image: `lab grade` runs submissions' run.sh
#             with bash, and busybox has none (default: /bin/bash-static, from Debian's
#             bash-static package: apt-get install bash-static)
#   --tag     the image's name (default: lab:<version>)
#   --base    the base image, which must be present or pullable (default: busybox:1.36)
#
# Prints the image's name on the last line.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
lab="$target_dir/x86_64-unknown-linux-musl/dist/lab"
docker_cli=$(command -v docker || true)
bash_static=/bin/bash-static
tag="lab:$version"
base="busybox:1.36"

while [ $# -gt 0 ]; do
    case "$1" in
        --lab) lab=${2:?}; shift 2 ;;
        --docker) docker_cli=${2:?}; shift 2 ;;
        --bash) bash_static=${2:?}; shift 2 ;;
        --tag) tag=${2:?}; shift 2 ;;
        --base) base=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ ! -x "$lab" ]; then
    echo "build-image.sh: $lab does not exist: build it with scripts/release.sh (or pass --lab)" >&2
    exit 3
fi
if file "$lab" 2>/dev/null | grep -q 'dynamically linked' && ! file "$lab" | grep -q 'static-pie'; then
    echo "build-image.sh: $lab is dynamically linked: the image needs the static musl build" >&2
    exit 2
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs/usr/local/bin"
cp "$root/packaging/Dockerfile" "$ctx/Dockerfile"
cp "$lab" "$ctx/rootfs/usr/local/bin/lab"

if [ ! -x "$bash_static" ]; then
    echo "build-image.sh: no static bash at $bash_static: apt-get install bash-static (or pass --bash)" >&2
    exit 3
fi
mkdir -p "$ctx/rootfs/bin"
cp "$bash_static" "$ctx/rootfs/bin/bash"

if [ -n "$docker_cli" ] && [ "$docker_cli" != none ]; then
    cp "$docker_cli" "$ctx/rootfs/usr/local/bin/docker"
    # The libraries a dynamic docker CLI loads, at the same paths (the loader too).
    if ldd "$docker_cli" >/dev/null 2>&1; then
        ldd "$docker_cli" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
            mkdir -p "$ctx/rootfs$(dirname "$lib")"
            cp -L "$lib" "$ctx/rootfs$lib"
        done
    fi
elif [ -z "$docker_cli" ]; then
    echo "build-image.sh: no docker CLI on PATH: pass --docker PATH, or --docker none" >&2
    exit 3
fi

revision=$("$lab" --version | sed -n 's/.*(commit \([^,)]*\).*/\1/p')
docker build -q -t "$tag" \
    --build-arg "BASE=$base" \
    --build-arg "VERSION=$version" \
    --build-arg "REVISION=${revision:-unknown}" \
    "$ctx" >/dev/null
echo "$tag"
