#!/usr/bin/env bash
# Start-to-exit latency of `berth run --rm --network none busybox true` next to runc, crun and podman
# on the same busybox rootfs, measured in the same run with hyperfine (medians; the machine is shared
# and noisy), plus each one's peak RSS. berth twice: through the launcher's shell client handed to a
# running supervisor (the normal path once any berth command has started one), and done in its own JVM
# (BERTH_NO_DELEGATION=1, as when no supervisor runs); each also with --security-opt
# seccomp=unconfined, which shows what the default seccomp filter costs. Then with a network: berth on
# its default bridge next to runc wrapped in the tutorial's ip commands (a namespace, a veth pair on a
# bridge, addresses, lo, a default route; torn down after).
# Needs root. Usage: sudo bench/run-latency.sh [RUNS]
#
# Runs inside a throw-away network and mount namespace where the hybrid layout's
# /sys/fs/cgroup/unified is unmounted, since crun (and podman through it) refuses hybrid cgroup hosts;
# nothing of that reaches the host.
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
    exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
ip link set lo up
mount -t tmpfs bench-run /run
umount /sys/fs/cgroup/unified 2>/dev/null || true

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
export BERTH_CGROUP_PARENT=berth-bench
b=("$here/berth" --root "$work/berth" --run-root "$work/run")
cleanup() {
    for id in $("${b[@]}" ps -a -q 2>/dev/null); do "${b[@]}" rm -f "$id" >/dev/null 2>&1 || true; done
    "${b[@]}" daemon --stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${b[@]}" image create busybox >/dev/null
rootfs=$("${b[@]}" image inspect busybox | sed -n 's/.*"LowerDir" : "\([^":]*\)".*/\1/p')   # its one layer
"${b[@]}" run -d --network none --name keeper busybox sleep 3600 >/dev/null   # starts the supervisor
# a supervisor is long-lived: time it warm (its JIT has seen the path), as it is after a while in use
for i in $(seq 30); do "${b[@]}" run --rm --network none busybox true; done

declare -A commands=([berth]="${b[*]} run --rm --network none busybox true"
    [berth-own-jvm]="env BERTH_NO_DELEGATION=1 ${b[*]} run --rm --network none busybox true"
    [berth-no-seccomp]="${b[*]} run --rm --network none --security-opt seccomp=unconfined busybox true"
    [berth-own-jvm-no-seccomp]="env BERTH_NO_DELEGATION=1 ${b[*]} run --rm --network none --security-opt seccomp=unconfined busybox true")
if command -v runc >/dev/null || command -v crun >/dev/null; then
    mkdir -p "$work/bundle" && cp -a "$rootfs" "$work/bundle/rootfs"
    (cd "$work/bundle" && runc spec 2>/dev/null || crun spec)
    sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$work/bundle/config.json"
    command -v runc >/dev/null && commands[runc]="runc run -b $work/bundle bench-runc"
    command -v crun >/dev/null && commands[crun]="crun run -b $work/bundle bench-crun"
fi
if command -v runc >/dev/null; then
    # the tutorial's network around runc: the same bundle joining a namespace made by ip
    mkdir -p "$work/net-bundle"
    python3 - "$work/bundle/config.json" "$work/net-bundle/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
for ns in config["linux"]["namespaces"]:
    if ns["type"] == "network":
        ns["path"] = "/run/netns/bench-runc"
config["root"]["path"] = sys.argv[1].rsplit("/", 1)[0] + "/rootfs"
json.dump(config, open(sys.argv[2], "w"))
PY
    ip link add bench0 type bridge && ip addr add 10.99.0.1/24 dev bench0 && ip link set bench0 up
    cat > "$work/runc-ip.sh" <<SCRIPT
#!/bin/sh
set -e
ip netns add bench-runc
ip link add vbench type veth peer name eth0 netns bench-runc
ip link set vbench master bench0 up
ip -n bench-runc link set lo up
ip -n bench-runc addr add 10.99.0.2/24 dev eth0
ip -n bench-runc link set eth0 up
ip -n bench-runc route add default via 10.99.0.1
runc run -b $work/net-bundle bench-runc-net
ip link del vbench
ip netns del bench-runc
SCRIPT
    chmod +x "$work/runc-ip.sh"
    commands[runc-ip]="$work/runc-ip.sh"
fi
commands[berth-bridge]="${b[*]} run --rm busybox true"
if command -v podman >/dev/null; then
    # root here lacks CAP_SYS_RESOURCE: podman must not try to raise rlimits past their hard limits
    commands[podman]="podman run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --rootfs $rootfs true"
fi

names=(berth berth-no-seccomp berth-own-jvm berth-own-jvm-no-seccomp)
for n in runc crun podman berth-bridge runc-ip; do [ -n "${commands[$n]:-}" ] && names+=("$n"); done
"${b[@]}" run --rm busybox true   # the default bridge and its firewall exist before timing, as after a first run
args=()
for n in "${names[@]}"; do args+=(-n "$n" "${commands[$n]}"); done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/result.json" "${args[@]}" >/dev/null

declare -A rss
for n in "${names[@]}"; do
    rss[$n]=$( { /usr/bin/time -f '%M' ${commands[$n]} >/dev/null; } 2>&1 | tail -1)
done

python3 - "$work/result.json" "$(for n in "${names[@]}"; do echo "$n=${rss[$n]}"; done)" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
rss = dict(line.split("=") for line in sys.argv[2].split())
med = {r["command"]: r["median"] * 1000 for r in results}
print(f"| runtime | median | min – max | peak RSS | berth ÷ this |")
print(f"|---|---|---|---|---|")
for r in results:
    n = r["command"]
    print(f"| {n} | {med[n]:.0f} ms | {r['min']*1000:.0f} – {r['max']*1000:.0f} ms | {int(rss[n])/1024:.0f} MiB | {med['berth']/med[n]:.2f} |")
print(f"\n{len(results[0]['times'])} runs each; lower is better. berth: the launcher's shell client handing the run "
      "to the supervisor (peak RSS of the client; the supervisor's is separate); berth-own-jvm: no supervisor, one JVM "
      "does it all; berth-bridge: on berth's default bridge (NAT included); runc-ip: runc in a namespace wired by the "
      "tutorial's ip commands (bridge, veth, addresses, route), torn down after.")
if "runc-ip" in med and "berth-bridge" in med:
    print(f"berth-bridge ÷ runc-ip: {med['berth-bridge']/med['runc-ip']:.2f}")
PY
