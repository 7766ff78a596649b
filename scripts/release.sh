#!/usr/bin/env bash
# Builds the release archives this machine can build, named as the release workflow
# (.github/workflows/release.yml, made by `dist generate` from dist-workspace.toml)
# publishes them, so install.sh installs from either:
#
#   lab-<target>.tar.gz    lab-<target>/{lab, README.md, LICENSE*}   (.zip and lab.exe for Windows)
#   sha256.sum             "<sha256>  <file>" for each archive (sha256sum -c reads it)
#   install.sh, install.ps1
#
# usage: scripts/release.sh [--out DIR] [--targets TARGET[,TARGET…]]
#
# Default targets: x86_64-unknown-linux-musl (static, runs on any Linux; needs
# `rustup target add x86_64-unknown-linux-musl` and musl-gcc from Debian's musl-tools) and
# aarch64-unknown-linux-musl (when cargo-zigbuild is installed: `pip install ziglang
# cargo-zigbuild`). macOS and Windows builds need their SDKs: the release workflow makes
# them on macOS and Windows runners. A target that cannot be built here is skipped, with
# the reason. The binaries are stripped (the `dist` profile). The default DIR is
# target/release-assets (under CARGO_TARGET_DIR when it is set). Exit: 0 built, 1 a build
# failed, 3 every target was skipped.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
out="$target_dir/release-assets"
targets="x86_64-unknown-linux-musl,aarch64-unknown-linux-musl"

while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=${2:?--out needs a folder}; shift 2 ;;
        --out=*) out=${1#--out=}; shift ;;
        --targets) targets=${2:?--targets needs a list}; shift 2 ;;
        --targets=*) targets=${1#--targets=}; shift ;;
        -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The archives' timestamps: the commit's, so two builds of one commit give the same tar.
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)

built=()
skipped=()

installed_target() { rustup target list --installed 2>/dev/null | grep -qx "$1"; }

# build TARGET: prints nothing, returns non-zero with the reason in $why when it can't.
build() {
    local t=$1
    why=""
    case "$t" in
        x86_64-unknown-linux-musl)
            if ! installed_target "$t"; then why="rustup target add $t"; return 1; fi
            # The C parts (SQLite) need a musl C compiler.
            if ! command -v musl-gcc >/dev/null 2>&1 && ! command -v x86_64-linux-musl-gcc >/dev/null 2>&1; then
                why="no musl C compiler (apt-get install musl-tools)"; return 1
            fi
            cargo build --profile dist --locked --target "$t"
            ;;
        aarch64-unknown-linux-musl)
            if ! command -v cargo-zigbuild >/dev/null 2>&1; then
                why="no cross linker (pip install ziglang cargo-zigbuild)"; return 1
            fi
            if ! installed_target "$t"; then why="rustup target add $t"; return 1; fi
            cargo zigbuild --profile dist --locked --target "$t"
            ;;
        *-apple-darwin)
            why="needs the macOS SDK: the release workflow builds it on a macOS runner"; return 1 ;;
        *-pc-windows-msvc)
            why="needs MSVC: the release workflow builds it on a Windows runner"; return 1 ;;
        *)
            why="not a release target (see dist-workspace.toml)"; return 1 ;;
    esac
}

package() {
    local t=$1 exe=lab name="lab-$1" stage
    case "$t" in *windows*) exe=lab.exe ;; esac
    stage=$(mktemp -d)
    mkdir "$stage/$name"
    cp "$target_dir/$t/dist/$exe" "$stage/$name/$exe"
    for f in README.md LICENSE LICENSE-MIT LICENSE-APACHE; do
        if [ -f "$f" ]; then cp "$f" "$stage/$name/"; fi
    done
    case "$t" in
        *windows*)
            # Flat, as dist makes Windows zips.
            (cd "$stage/$name" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(sys.argv[2:]): z.write(f)' "$out/$name.zip" *)
            ;;
        *)
            tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
                -C "$stage" -czf "$out/$name.tar.gz" "$name"
            ;;
    esac
    rm -rf "$stage"
}

IFS=', ' read -r -a list <<<"$targets"
for t in "${list[@]}"; do
    [ -n "$t" ] || continue
    if build "$t"; then
        package "$t"
        built+=("$t")
    else
        if [ -n "$why" ]; then
            echo "skipping $t: $why" >&2
            skipped+=("$t")
        else
            echo "release.sh: building $t failed" >&2
            exit 1
        fi
    fi
done

if [ ${#built[@]} -eq 0 ]; then
    # Every target was skipped (said above): not a build failure, so a distinct code.
    echo "release.sh: nothing was built" >&2
    exit 3
fi

cp install.sh install.ps1 "$out/"
assets=()
for t in "${built[@]}"; do
    case "$t" in *windows*) assets+=("lab-$t.zip") ;; *) assets+=("lab-$t.tar.gz") ;; esac
done
(cd "$out" && sha256sum -- "${assets[@]}" >sha256.sum)

echo "$("$target_dir/${built[0]}/dist/lab" --version 2>/dev/null || echo "lab $version"): $out"
for f in "${assets[@]}"; do
    printf '  %-45s %s bytes\n' "$f" "$(wc -c <"$out/$f")"
done
echo "  sha256.sum, install.sh, install.ps1"
if [ ${#skipped[@]} -gt 0 ]; then echo "skipped: ${skipped[*]}"; fi
