#!/usr/bin/env bash
# Start-to-exit latency of `docker run --rm busybox true` with Debian's docker CLI talking to berth's
# Engine API (the supervisor's docker.sock), next to `podman run --rm` on the same busybox rootfs and
# `berth run --rm` itself, measured in the same run with hyperfine (medians; the machine is shared and
# noisy). All with --network none, so that only the runtimes are compared, not their network setups.
# Needs root, hyperfine, docker.io and podman. Usage: sudo bench/engine-run.sh [RUNS]
#
# Runs inside a private mount namespace where the hybrid layout's /sys/fs/cgroup/unified is unmounted,
# since crun (podman's runtime) refuses hybrid cgroup hosts; nothing of that reaches the host.
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    for tool in hyperfine /usr/bin/docker podman; do
        command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine docker.io podman)" >&2; exit 1; }
    done
    exec env BERTH_BENCH_INSIDE=1 unshare --mount --propagation private -- "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2>/dev/null || true

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
export BERTH_CGROUP_PARENT=berth-bench
b=("$here/berth" --root "$work/berth" --run-root "$work/run")
cleanup() {
    for id in $("${b[@]}" ps -a -q 2>/dev/null); do "${b[@]}" rm -f "$id" >/dev/null 2>&1 || true; done
    "${b[@]}" daemon --stop >/dev/null 2>&1 || true
    grep -o " $work/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true  # podman's storage
    rm -rf "$work"
}
trap cleanup EXIT
"${b[@]}" image create busybox >/dev/null
rootfs=$("${b[@]}" image inspect busybox | sed -n 's/.*"LowerDir" : "\([^":]*\)".*/\1/p')   # its one layer
"${b[@]}" daemon >/dev/null 2>&1 &
for i in $(seq 100); do
    curl -sf --unix-socket "$work/run/docker.sock" http://berth/_ping >/dev/null && break
    sleep 0.1
done
mkdir -p "$work/docker-config"
docker=(env DOCKER_HOST="unix://$work/run/docker.sock" DOCKER_CONFIG="$work/docker-config" /usr/bin/docker)
# a supervisor is long-lived: time it warm (its JIT has seen the path), as it is after a while in use
for i in $(seq 30); do "${docker[@]}" run --rm --network none busybox true; done

declare -A commands=(
    [docker-cli-to-berth]="${docker[*]} run --rm --network none busybox true"
    [berth-run]="${b[*]} run --rm --network none busybox true"
    # root here lacks CAP_SYS_RESOURCE: podman must not try to raise rlimits past their hard limits
    [podman]="podman --root $work/podman --runroot $work/podman-run run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --rootfs $rootfs true")
names=(docker-cli-to-berth berth-run podman)
args=()
for n in "${names[@]}"; do args+=(-n "$n" "${commands[$n]}"); done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/result.json" "${args[@]}" >/dev/null

python3 - "$work/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] * 1000 for r in results}
print("| client → runtime | median | min – max | docker-cli-to-berth ÷ this |")
print("|---|---|---|---|")
for r in results:
    n = r["command"]
    print(f"| {n} | {med[n]:.0f} ms | {r['min']*1000:.0f} – {r['max']*1000:.0f} ms | {med['docker-cli-to-berth']/med[n]:.2f} |")
print(f"\n{len(results[0]['times'])} runs each; lower is better.")
PY
