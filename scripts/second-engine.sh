#!/usr/bin/env bash
# A second Docker engine beside the first, for tests and benchmarks of several engines
# (ENGINE_FACTS.md): its own data, exec root, socket and bridge; never --bridge=none, which
# would delete the first engine's docker0.
#   second-engine.sh start   prints its DOCKER_HOST (unix://…) once it answers
#   second-engine.sh stop    stops it and removes its bridge, firewall rules and folders
# Exit 77 (skip) when it cannot be started here (not root, no dockerd).
set -euo pipefail

DIR="${LAB_ENGINE2_DIR:-/tmp/lab-engine2}"
BR="${LAB_ENGINE2_BRIDGE:-labbr2}"
POOL=10.213.0.0/16
NET=10.212.0.0/24
SOCK="$DIR/docker.sock"

rules() {
    echo "-s $POOL -d $POOL -j ACCEPT"
    echo "-s $NET -d $NET -j ACCEPT"
}

stop() {
    if [ -f "$DIR/pid" ]; then
        pid="$(cat "$DIR/pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    while read -r rule; do
        # shellcheck disable=SC2086
        while iptables -C FORWARD $rule 2>/dev/null; do iptables -D FORWARD $rule; done
    done < <(rules)
    ip link show "$BR" >/dev/null 2>&1 && ip link delete "$BR" || true
    if [ -d "$DIR" ]; then
        # Container layers may still be mounted under the data root.
        { grep -o " $DIR/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do
            umount -l "$m" 2>/dev/null || true
        done
        rm -rf "$DIR"
    fi
}

start() {
    if [ "$(id -u)" != 0 ]; then
        echo "a second engine needs root (dockerd, a bridge, firewall rules)" >&2
        exit 77
    fi
    command -v dockerd >/dev/null || { echo "no dockerd on this machine" >&2; exit 77; }
    stop
    mkdir -p "$DIR/data" "$DIR/exec"
    echo '{}' > "$DIR/empty.json"
    ip link add "$BR" type bridge
    ip addr add 10.212.0.1/24 dev "$BR"
    ip link set "$BR" up
    while read -r rule; do
        # shellcheck disable=SC2086
        iptables -I FORWARD $rule
    done < <(rules)
    setsid dockerd --config-file "$DIR/empty.json" --data-root "$DIR/data" \
        --exec-root "$DIR/exec" --pidfile "$DIR/pid" -H "unix://$SOCK" \
        --bridge "$BR" --iptables=false \
        --default-address-pool "base=$POOL,size=24" >"$DIR/dockerd.log" 2>&1 < /dev/null &
    for _ in $(seq 1 300); do
        if docker -H "unix://$SOCK" info >/dev/null 2>&1; then
            echo "unix://$SOCK"
            return 0
        fi
        sleep 0.1
    done
    echo "the second engine did not answer within 30 s:" >&2
    tail -20 "$DIR/dockerd.log" >&2 || true
    stop
    exit 77
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
