#!/usr/bin/env bash
# Pulling a multi-layer image (busybox, one incompressible 64 MiB layer, a small top layer; gzip) from a
# local registry (Debian's docker-registry on 127.0.0.1 in a throw-away network namespace, seeded by
# skopeo) into an empty store: berth pull next to podman pull from the same registry in the same run,
# medians of N, and the peak RSS of each (berth must stream, not hold a layer in its heap).
# Usage: sudo bench/pull.sh [N] [LAYER_MIB]
set -euo pipefail
n=${1:-5}
mib=${2:-64}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    exec env BERTH_BENCH_INSIDE=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
ip link set lo up
mount -t tmpfs bench-run /run
work=$(mktemp -d /var/tmp/berth-bench-pull.XXXXXX)
registry_pid=
cleanup() {
    [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# --- an OCI layout, made with tar, gzip and sha256sum --------------------------------------------------
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$layout/blobs/sha256/$d"; echo "$d"; }
layers=(); diffs=()
layer() {   # layer DIR: tar it (owned by root, fixed times), gzip it, add the blob
    local tarfile=$work/layer.tar diff digest size
    tar --numeric-owner --owner=0 --group=0 --mtime=2026-01-01 -C "$1" -cf "$tarfile" .
    diff=$(sha256sum "$tarfile" | cut -d' ' -f1)
    gzip -n -1 "$tarfile"
    size=$(stat -c %s "$tarfile.gz")
    digest=$(blob "$tarfile.gz")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}")
    diffs+=("\"sha256:$diff\"")
}
mkdir -p "$work/l1/bin" "$work/l2/data" "$work/l3/etc"
cp /bin/busybox "$work/l1/bin/busybox"
for a in sh ls cat echo true du; do ln -s busybox "$work/l1/bin/$a"; done
head -c "$((mib * 1024 * 1024))" /dev/urandom > "$work/l2/data/big.bin"
echo "bench" > "$work/l3/etc/motd"
for l in l1 l2 l3; do layer "$work/$l"; rm -rf "${work:?}/$l"; done
join() { local IFS=,; echo "$*"; }
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$(join "${diffs[@]}")" > "$work/config.json"
csize=$(stat -c %s "$work/config.json"); cdigest=$(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$cdigest" "$csize" "$(join "${layers[@]}")" > "$work/manifest.json"
msize=$(stat -c %s "$work/manifest.json"); mdigest=$(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
    "$mdigest" "$msize" > "$layout/index.json"

# --- the registry, on loopback only, with a config of our own -------------------------------------------
port=5055
mkdir -p "$work/registry"
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
for i in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
skopeo copy --quiet --dest-tls-verify=false --preserve-digests "oci:$layout:bench" "docker://127.0.0.1:$port/bench/big:1"
image=127.0.0.1:$port/bench/big:1

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int(NR/2)+1]}'; }
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }   # peak RSS in KiB

berth=(env BERTH_NO_DELEGATION=1 "$here/berth" --root "$work/berth" --run-root /run/berth)
podman=(podman --root "$work/podman" --runroot /run/podman-bench --storage-driver overlay)
"${berth[@]}" --version >/dev/null   # builds the jar and its start-up caches, if needed, before timing
b=(); p=()
for i in $(seq "$n"); do
    rm -rf "$work/berth"; b+=($(ms "${berth[@]}" pull -q "$image"))
    rm -rf "$work/podman" /run/podman-bench; p+=($(ms "${podman[@]}" pull -q --tls-verify=false "$image"))
done
rm -rf "$work/berth"; b_rss=$(rss "${berth[@]}" pull -q "$image")
rm -rf "$work/podman" /run/podman-bench; p_rss=$(rss "${podman[@]}" pull -q --tls-verify=false "$image")
"${berth[@]}" run --rm --network none "$image" du -sm /data | grep -q "^$((mib + 1))\|^$mib" \
    || { echo "the pulled image does not run" >&2; exit 1; }
rm -rf "$work/podman" /run/podman-bench

bm=$(median "${b[@]}"); pm=$(median "${p[@]}")
echo "| pull of a 3-layer image (one ${mib} MiB layer), empty store | median | runs | peak RSS |"
echo "|---|---|---|---|"
echo "| berth pull (own JVM) | $bm ms | ${b[*]} | $((b_rss / 1024)) MiB |"
echo "| podman pull | $pm ms | ${p[*]} | $((p_rss / 1024)) MiB |"
echo
echo "berth ÷ podman (time): $(awk -v a="$bm" -v b="$pm" 'BEGIN {printf "%.2f", a / b}')"
