#!/bin/sh
# Installs `lab` from a release: the archive for this machine, its checksum checked
# against the release's sha256.sum, the binary put in a folder of your PATH.
#
#   curl -fsSL https://github.com/lab-course/lab/releases/latest/download/install.sh | sh
#
# LAB_VERSION        the release to install, e.g. 0.1.0 (default: the latest)
# LAB_INSTALL_BASE   where the release's files are: a URL, a local folder or a file:// URL
#                    (default: the project's GitHub release of LAB_VERSION)
# LAB_INSTALL_DIR    where `lab` goes (default: $HOME/.local/bin)
#
# Linux (x86_64, aarch64: static binaries, any distribution) and macOS (Intel, Apple
# silicon). Windows: install.ps1. POSIX sh, no bash needed.
set -eu

REPO_URL="https://github.com/lab-course/lab"

say() { printf 'lab installer: %s\n' "$*"; }
fail() {
    printf 'lab installer: error: %s\n' "$*" >&2
    exit 1
}

target() {
    os=$(uname -s)
    arch=$(uname -m)
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) fail "no build of lab for the processor \"$arch\" (there are x86_64 and aarch64 ones); build it from source with cargo" ;;
    esac
    case "$os" in
        Linux) echo "$arch-unknown-linux-musl" ;;
        Darwin) echo "$arch-apple-darwin" ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT) fail "on Windows, run install.ps1 in PowerShell" ;;
        *) fail "no build of lab for the system \"$os\" (there are Linux, macOS and Windows ones); build it from source with cargo" ;;
    esac
}

# fetch NAME DEST: one file of the release, from a URL, a folder or a file:// URL.
fetch() {
    case "$BASE" in
        http://* | https://*)
            if command -v curl >/dev/null 2>&1; then
                curl --proto '=https,http' -fsSL "$BASE/$1" -o "$2" || fail "could not download $BASE/$1"
            elif command -v wget >/dev/null 2>&1; then
                wget -q -O "$2" "$BASE/$1" || fail "could not download $BASE/$1"
            else
                fail "neither curl nor wget is installed: install one, or set LAB_INSTALL_BASE to a folder holding the release's files"
            fi
            ;;
        *)
            dir=${BASE#file://}
            [ -f "$dir/$1" ] || fail "$dir/$1 does not exist (LAB_INSTALL_BASE must be a folder holding the release's files)"
            cp "$dir/$1" "$2"
            ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        fail "neither sha256sum nor shasum is installed: the download cannot be checked"
    fi
}

TARGET=$(target)
ASSET="lab-$TARGET.tar.gz"
VERSION=${LAB_VERSION:-latest}
VERSION=${VERSION#v}
if [ -n "${LAB_INSTALL_BASE:-}" ]; then
    BASE=${LAB_INSTALL_BASE%/}
elif [ "$VERSION" = latest ]; then
    BASE="$REPO_URL/releases/latest/download"
else
    BASE="$REPO_URL/releases/download/v$VERSION"
fi
DEST=${LAB_INSTALL_DIR:-${HOME:?HOME is not set: set LAB_INSTALL_DIR}/.local/bin}

TMP=$(mktemp -d 2>/dev/null || mktemp -d -t lab-install)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

say "downloading $ASSET from $BASE"
fetch "$ASSET" "$TMP/$ASSET"
fetch sha256.sum "$TMP/sha256.sum"

# A line of sha256.sum is "<hash>  <name>" (or "<hash> *<name>").
expected=$(awk -v name="$ASSET" '{ n = $2; sub(/^\*/, "", n); if (n == name) { print $1; exit } }' "$TMP/sha256.sum")
[ -n "$expected" ] || fail "sha256.sum has no checksum for $ASSET: nothing installed"
actual=$(sha256 "$TMP/$ASSET")
if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $ASSET: expected $expected, got $actual.
The download is corrupt or was tampered with: nothing installed. Try again; if it
happens again, report it."
fi
say "checksum verified (sha256 $actual)"

mkdir "$TMP/x"
tar -xzf "$TMP/$ASSET" -C "$TMP/x" || fail "could not unpack $ASSET"
bin=$(find "$TMP/x" -type f -name lab | head -n 1)
[ -n "$bin" ] || fail "$ASSET holds no lab binary"

mkdir -p "$DEST" || fail "could not create $DEST: set LAB_INSTALL_DIR to a folder you can write"
# Copy then rename: a lab that is running is replaced, not overwritten in place.
cp "$bin" "$DEST/.lab.$$" && chmod 755 "$DEST/.lab.$$" && mv -f "$DEST/.lab.$$" "$DEST/lab" ||
    fail "could not write $DEST/lab: set LAB_INSTALL_DIR to a folder you can write"

version=$("$DEST/lab" --version 2>/dev/null) || fail "$DEST/lab was installed but does not run on this machine"
say "installed $version at $DEST/lab"
case ":${PATH:-}:" in
    *":$DEST:"*) say "$DEST is on your PATH: run \`lab --help\`" ;;
    *)
        say "$DEST is not on your PATH: add it, e.g. to ~/.profile:"
        say "    export PATH=\"$DEST:\$PATH\""
        ;;
esac
