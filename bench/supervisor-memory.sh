#!/usr/bin/env bash
# The supervisor's resident memory: idle, then with N idle detached containers (busybox sleep, no
# network), each figure the median of 5 readings of VmRSS a second apart after a full GC
# (jcmd GC.run), and the growth per container. Needs root. Usage: sudo bench/supervisor-memory.sh [N]
set -euo pipefail
n=${1:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
work=$(mktemp -d /tmp/berth-bench-mem.XXXXXX)
export BERTH_CGROUP_PARENT=berth-bench-mem
b=("$here/berth" --root "$work/root" --run-root "$work/run")
cleanup() {
    for id in $("${b[@]}" ps -a -q 2>/dev/null); do "${b[@]}" rm -f "$id" >/dev/null 2>&1 || true; done
    "${b[@]}" daemon --stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${b[@]}" image create busybox >/dev/null
"${b[@]}" run -d --network none --name first busybox sleep 3600 >/dev/null   # starts the supervisor
pid=$(pgrep -f -- "--run-root=$work/run daemon" | head -1)
jcmd=$(dirname "$(readlink -f /proc/$pid/exe)")/jcmd
rss() {
    "$jcmd" "$pid" GC.run >/dev/null 2>&1 || true
    for i in 1 2 3 4 5; do sleep 1; awk '/VmRSS/ {print $2}' /proc/$pid/status; done | sort -n | sed -n 3p
}
"${b[@]}" rm -f first >/dev/null
idle=$(rss)
for i in $(seq "$n"); do "${b[@]}" run -d --network none busybox sleep 3600 >/dev/null; done
loaded=$(rss)
awk -v idle="$idle" -v loaded="$loaded" -v n="$n" 'BEGIN {
    printf "| supervisor | RSS |\n|---|---|\n| idle | %.0f MiB |\n| with %d idle containers | %.0f MiB |\n| growth per container | %.2f MiB |\n",
        idle / 1024, n, loaded / 1024, (loaded - idle) / 1024 / n }'
