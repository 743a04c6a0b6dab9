#!/usr/bin/env bash
# Throughput (iperf3, TCP) and connection rate (sequential HTTP requests) through a published port,
# next to the same traffic sent straight to the container's address, in the same run; then the time to
# add and remove one publication (berth run -p vs. without -p). Everything happens in a throw-away
# network and mount namespace; every run is bounded in time. Usage: sudo bench/published-port.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${SECONDS_PER_RUN:-5}
requests=${REQUESTS:-300}

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    command -v iperf3 >/dev/null || { echo "needs iperf3 (apt-get install iperf3)" >&2; exit 1; }
    exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
ip link set lo up
mount -t tmpfs bench-run /run
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
berth() { "$here/berth" --root "$work/root" --run-root /run/berth "$@"; }
cleanup() { berth rm -f srv >/dev/null 2>&1 || true; berth network rm berth0 >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
ip addr add 203.0.113.1/24 dev lo   # the host's "public" address, local to this namespace

berth run --rm --name srv -p 15201:5201 -p 18080:80 busybox sh -c \
    'mkdir /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null 2>&1 &
for _ in $(seq 100); do berth inspect srv 2>/dev/null | grep -q '"Running" : true' && break; sleep 0.1; done
ip=$(berth inspect srv | sed -n 's/.*"IPAddress" : "\([0-9.]*\)".*/\1/p' | head -1)
# busybox has no iperf3: the server runs in the container's network namespace, started from outside
ip netns exec berth-srv iperf3 -s -D -1 >/dev/null 2>&1 || true
sleep 0.5

gbps() { iperf3 -c "$1" -p "$2" -t "$seconds" -J 2>/dev/null | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9, 2))'; }
direct_bw=$(gbps "$ip" 5201)
ip netns exec berth-srv iperf3 -s -D -1 >/dev/null 2>&1 || true; sleep 0.5
published_bw=$(gbps 203.0.113.1 15201)

rate() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$requests"); do curl -s -m 2 -o /dev/null "$1"; done
    end=$(date +%s%N)
    python3 -c "print(round($requests / (($end - $start) / 1e9)))"
}
direct_rate=$(rate "http://$ip/")
published_rate=$(rate "http://203.0.113.1:18080/")

# adding and removing one publication: a run with -p against the same run without
t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
without=(); with=()
for i in $(seq 10); do
    without+=($(t berth run --rm busybox true))
    with+=($(t berth run --rm -p "$((20000 + i)):80" busybox true))
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int(NR/2)+1]}'; }

echo "| path | TCP throughput (iperf3, ${seconds} s) | HTTP requests/s (curl, $requests sequential) |"
echo "|---|---|---|"
echo "| straight to the container ($ip) | $direct_bw Gbit/s | $direct_rate |"
echo "| through the published port (203.0.113.1:15201 / :18080) | $published_bw Gbit/s | $published_rate |"
echo "| published ÷ direct | $(python3 -c "print(round($published_bw/$direct_bw, 2))") | $(python3 -c "print(round($published_rate/$direct_rate, 2))") |"
echo
echo "berth run --rm busybox true: median $(median "${without[@]}") ms without -p, $(median "${with[@]}") ms with one -p (10 runs each)"
