#!/usr/bin/env bash
# Detached containers: time of `berth run -d` until the process runs and of `berth exec` (medians of N),
# next to `podman run -d --rootfs` / `podman exec` on the same busybox rootfs in the same run; then the
# supervisor's RSS with no container and with 50 idle ones. In a throw-away network and mount namespace.
# Usage: sudo bench/lifecycle.sh [N]
set -euo pipefail
n=${1:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
ip link set lo up
mount -t tmpfs bench-run /run
umount /sys/fs/cgroup/unified 2>/dev/null || true   # crun (podman's runtime) refuses the hybrid layout
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
export BERTH_CGROUP_PARENT=berth-bench
berth() { "$here/berth" --root "$work/root" --run-root /run/berth "$@"; }
cleanup() {
    for id in $(berth ps -a -q 2>/dev/null); do berth rm -f "$id" >/dev/null 2>&1 || true; done
    berth daemon --stop >/dev/null 2>&1 || true
    command -v podman >/dev/null && podman rm -af -t 0 >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
berth image create busybox >/dev/null
rootfs=$(berth image inspect busybox | sed -n 's/.*"LowerDir" : "\([^":]*\)".*/\1/p')   # its one layer
berth run -d --network none --name warm busybox sleep 600 >/dev/null   # the supervisor is up before timing
# a supervisor is long-lived: time it warm (its JIT has seen the paths), as it is after a while in use
for i in $(seq 20); do berth run --rm --network none busybox true; berth exec warm true; done

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int(NR/2)+1]}'; }

b_run=(); b_exec=(); p_run=(); p_exec=()
for i in $(seq "$n"); do
    b_run+=($(ms berth run -d --network none --name "b$i" busybox sleep 600))
    b_exec+=($(ms berth exec "b$i" true))
done
podman_ok=no
if command -v podman >/dev/null && podman run --rm --network none --ulimit nofile=20000:20000 \
        --ulimit nproc=32768:32768 --rootfs "$rootfs" true >/dev/null 2>&1; then
    podman_ok=yes
    for i in $(seq "$n"); do
        p_run+=($(ms podman run -d --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 \
            --name "p$i" --rootfs "$rootfs" sleep 600))
        p_exec+=($(ms podman exec "p$i" true))
    done
fi

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
daemon=$(pgrep -f -- "--run-root=/run/berth daemon" | head -1)
for id in $(berth ps -q); do berth rm -f "$id" >/dev/null; done
sleep 1
rss0=$(rss "$daemon")
for i in $(seq 50); do berth run -d --network none busybox sleep 600 >/dev/null; done
sleep 1
rss50=$(rss "$daemon")

echo "| operation | berth | podman | berth ÷ podman |"
echo "|---|---|---|---|"
if [ "$podman_ok" = yes ]; then
    echo "| run -d (until running) | $(median "${b_run[@]}") ms | $(median "${p_run[@]}") ms | $(python3 -c "print(round($(median "${b_run[@]}")/$(median "${p_run[@]}"), 2))") |"
    echo "| exec true | $(median "${b_exec[@]}") ms | $(median "${p_exec[@]}") ms | $(python3 -c "print(round($(median "${b_exec[@]}")/$(median "${p_exec[@]}"), 2))") |"
else
    echo "| run -d (until running) | $(median "${b_run[@]}") ms | (podman not available) | |"
    echo "| exec true | $(median "${b_exec[@]}") ms | (podman not available) | |"
fi
echo
echo "supervisor RSS: $((rss0 / 1024)) MiB with no container, $((rss50 / 1024)) MiB with 50 idle ones ($(( (rss50 - rss0) / 50 )) KiB each); medians of $n"
