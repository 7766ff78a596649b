#!/usr/bin/env bash
# Cross-check `lab` for Windows and macOS from a Linux machine (issue 14).
#
# Usage:   bash scripts/cross-check.sh            # both targets
#          bash scripts/cross-check.sh windows    # or: macos
#
# What it runs:
#   cargo check --target x86_64-pc-windows-gnu --all-targets
#   cargo check --target aarch64-apple-darwin  --all-targets
#
# Why a C compiler: rusqlite is `bundled`, so libsqlite3-sys compiles sqlite3.c even under
# `cargo check`. The host gcc can do neither Windows nor macOS. We use zig (`pip install
# ziglang`) as the C cross compiler for both: one package from PyPI covers both targets and
# ships the Windows (mingw) and macOS libc headers, where the alternative would be Debian's
# mingw-w64 gcc for Windows plus clang and a macOS SDK (not redistributable) for macOS.
# `cargo check` never links, so only `cc -c` and `ar` are needed.
#
# What it installs, each step skipped when already there (so a warm run is just the checks):
#   - the rust-std of both targets (rustup target add);
#   - zig: an existing `zig` on PATH, else python's `ziglang` module, else `pip install ziglang`;
#   - small cc/ar wrappers in ${LAB_CROSS_DIR:-~/.cache/lab-cross}.
# When a server is unreachable (rustup's, PyPI), that target prints "skipping <target>: <why>"
# and counts as passed; a real compile error fails the script (exit 1).
#
# --all-targets on both: the tests that are unix by nature (SIGINT to lab, a unix pty:
# tests/interrupt.rs, watch.rs, cli_shell.rs, one test of engine.rs) are #[cfg(unix)].
#
# Respects CARGO_TARGET_DIR (each target gets its own subfolder there). Measured on the
# 2-core machine, shared: cold (empty target dir) 567 s (Windows 441 s, macOS 125 s), plus
# about 20 s the first time for rustup target add (7 s) and pip install ziglang (13 s);
# warm, nothing changed 2 s; warm after an edit to lab about 20 s for both.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2

[ $# -gt 0 ] || set -- windows macos
CROSS_DIR="${LAB_CROSS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lab-cross}"
status=0

say() { printf 'cross-check: %s\n' "$*" >&2; }

# Finds (or installs) zig: sets ZIG, or WHY and returns non-zero.
ZIG=""
WHY=""
find_zig() {
    [ -n "$ZIG" ] && return 0
    [ -n "$WHY" ] && return 1  # tried already (once per run, not per target)
    if command -v zig >/dev/null 2>&1; then
        ZIG="$(command -v zig)"
        return 0
    fi
    local py dir
    py="$(command -v python3 || command -v python || true)"
    [ -n "$py" ] || { WHY="no python3 to install ziglang with"; return 1; }
    local where='import ziglang, os; print(os.path.dirname(ziglang.__file__))'
    if ! dir="$("$py" -c "$where" 2>/dev/null)"; then
        say "installing zig (pip install ziglang) as the C cross compiler"
        local log="$CROSS_DIR/pip.log"
        # A short timeout: an unreachable PyPI should skip, not hang.
        if ! "$py" -m pip install -q --timeout 20 --retries 1 ziglang >"$log" 2>&1; then
            WHY="pip install ziglang failed (PyPI unreachable?): $(grep -m1 ERROR "$log" || tail -n 1 "$log")"
            return 1
        fi
        if ! dir="$("$py" -c "$where" 2>/dev/null)"; then
            WHY="pip installed ziglang, but $py cannot import it"
            return 1
        fi
    fi
    [ -x "$dir/zig" ] || { WHY="ziglang is installed but has no zig binary in $dir"; return 1; }
    ZIG="$dir/zig"
}

# Writes a cc wrapper for one zig target. cc-rs sees a clang and adds its own --target/-arch,
# which name Rust's triple, not zig's: drop them and give zig's.
write_wrappers() {
    local zig="$1" name="$2" zigtarget="$3"
    mkdir -p "$CROSS_DIR"
    local cc="$CROSS_DIR/$name-cc" ar="$CROSS_DIR/$name-ar"
    local want_cc
    want_cc="$(cat <<EOF
#!/usr/bin/env bash
# written by lab's scripts/cross-check.sh
args=()
skip=0
for a in "\$@"; do
    if [ \$skip = 1 ]; then skip=0; continue; fi
    case "\$a" in
        --target=*|-target=*) ;;
        -target|--target|-arch) skip=1 ;;
        *) args+=("\$a") ;;
    esac
done
exec "$zig" cc -target $zigtarget "\${args[@]}"
EOF
)"
    # Rewrite only on change, so a warm run leaves the files (and cargo's caches) alone.
    [ -f "$cc" ] && [ "$(cat "$cc")" = "$want_cc" ] || { printf '%s\n' "$want_cc" >"$cc"; chmod +x "$cc"; }
    local want_ar
    want_ar="$(printf '#!/usr/bin/env bash\nexec "%s" ar "$@"' "$zig")"
    [ -f "$ar" ] && [ "$(cat "$ar")" = "$want_ar" ] || { printf '%s\n' "$want_ar" >"$ar"; chmod +x "$ar"; }
}

# check <rust triple> <zig triple> <short name> <cargo args...>
check() {
    local triple="$1" zigtarget="$2" name="$3"
    shift 3
    if ! rustup target list --installed 2>/dev/null | grep -qx "$triple"; then
        say "adding the $triple standard library (rustup target add)"
        local err
        if ! err="$(rustup target add "$triple" 2>&1)"; then
            echo "skipping $triple: rustup target add failed: $(printf '%s' "$err" | tail -n 1)"
            return 0
        fi
    fi
    if ! find_zig; then
        echo "skipping $triple: no C cross compiler: $WHY"
        return 0
    fi
    write_wrappers "$ZIG" "$name" "$zigtarget"
    local env_triple="${triple//-/_}"
    say "cargo check --target $triple $*"
    local t0=$SECONDS
    if env "CC_$env_triple=$CROSS_DIR/$name-cc" "AR_$env_triple=$CROSS_DIR/$name-ar" \
        cargo check --target "$triple" "$@"; then
        say "$triple: ok ($((SECONDS - t0)) s)"
    else
        say "$triple: FAILED"
        status=1
    fi
}

mkdir -p "$CROSS_DIR"
for w in "$@"; do
    case "$w" in
        windows) check x86_64-pc-windows-gnu x86_64-windows-gnu windows --all-targets ;;
        macos) check aarch64-apple-darwin aarch64-macos macos --all-targets ;;
        *) say "unknown target '$w' (windows or macos)"; exit 2 ;;
    esac
done
exit $status
