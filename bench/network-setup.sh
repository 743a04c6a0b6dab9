#!/usr/bin/env bash
# One container's network set up and torn down (namespace, veth pair with the peer in the namespace,
# bridge attach, addresses, lo and eth0 up, default route), N times: berth in-process through rtnetlink,
# next to the tutorial's ip commands in a shell loop, in the same run. Runs in a throw-away network and
# mount namespace: nothing reaches the host's network. Usage: sudo bench/network-setup.sh [N]
set -euo pipefail
n=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    [ -f "$here/target/berth.jar" ] || (cd "$here" && ./mvnw -B -q -DskipTests package)
    exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
ip link set lo up
mount -t tmpfs bench-run /run
java="$("$here/scripts/java25-home")/bin/java"

read -r bs_med bs_min bs_max b_med b_min b_max b_amortised < <("$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
    -cp "$here/target/berth.jar" "$here/bench/NetworkSetupBench.java" "$n")

# The same steps with the tutorial's tools.
ip link add benchbr0 type bridge && ip addr add 10.98.0.1/16 dev benchbr0 && ip link set benchbr0 up
times=(); setups=()
loop_start=0
for i in $(seq -10 "$n"); do
    start=$(date +%s%N)
    [ "$i" -eq 1 ] && loop_start=$start
    ip netns add bench
    ip -n bench link set lo up
    ip link add vbbench type veth peer name eth0 netns bench
    ip link set vbbench master benchbr0
    ip link set vbbench up
    ip -n bench addr add 10.98.0.2/16 dev eth0
    ip -n bench link set eth0 up
    ip -n bench route add default via 10.98.0.1 dev eth0
    wired=$(date +%s%N)
    ip link del vbbench
    ip netns del bench
    end=$(date +%s%N)
    if [ "$i" -gt 0 ]; then times+=($(( (end - start) / 1000 ))); setups+=($(( (wired - start) / 1000 ))); fi
done
i_amortised=$(( ($(date +%s%N) - loop_start) / n / 1000 ))
ip link del benchbr0
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int(NR/2)+1], v[1], v[NR]}'; }
read -r is_med is_min is_max < <(stats "${setups[@]}")
read -r i_med i_min i_max < <(stats "${times[@]}")
ms() { python3 -c "print(f'{$1/1000:.1f}')"; }

echo "| one container's network | berth (rtnetlink, in-process) | the tutorial's ip commands | ip ÷ berth |"
echo "|---|---|---|---|"
echo "| set up: netns + lo, veth into it, bridge attach, address, eth0 up, default route | $(ms "$bs_med") ms ($(ms "$bs_min")–$(ms "$bs_max")) | $(ms "$is_med") ms ($(ms "$is_min")–$(ms "$is_max")) | $(python3 -c "print(round($is_med/$bs_med, 1))") |"
echo "| set up + tear down (berth: address removed, pins dropped, the kernel frees the veth pair with the namespace; ip: veth deleted, then the namespace) | $(ms "$b_med") ms ($(ms "$b_min")–$(ms "$b_max")) | $(ms "$i_med") ms ($(ms "$i_min")–$(ms "$i_max")) | $(python3 -c "print(round($i_med/$b_med, 1))") |"
echo "| whole loop ÷ iterations, until the kernel has freed the last veth | $(ms "$b_amortised") ms | $(ms "$i_amortised") ms | $(python3 -c "print(round($i_amortised/$b_amortised, 1))") |"
echo
echo "medians (min–max) of $n iterations each after 10 warm-ups, same run"
