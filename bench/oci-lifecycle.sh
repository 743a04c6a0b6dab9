#!/usr/bin/env bash
# An OCI runtime's own work as an engine sees it: create + start + delete of a trivial container
# (busybox `true`, no terminal, its own network namespace), one process start per verb, through
# berth-oci next to runc and crun on the same bundle, measured in the same run with hyperfine (medians;
# the machine is shared and noisy). Also the cost of one call that does no container work (`state` of
# an absent container): what a JVM start costs berth-oci on every verb.
# Needs root. Usage: sudo bench/oci-lifecycle.sh [RUNS]
#
# Runs inside a private mount and network namespace where the hybrid layout's /sys/fs/cgroup/unified is
# unmounted, since crun refuses hybrid cgroup hosts; nothing of that reaches the host.
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${BERTH_BENCH_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
    exec env BERTH_BENCH_INSIDE=1 unshare --mount --net --propagation private -- "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2>/dev/null || true
ip link set lo up

work=$(mktemp -d /tmp/berth-oci-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/" && ln -s busybox "$work/bundle/rootfs/bin/true"
# runc's default spec where runc is installed (crun 1.8 refuses ociVersion 1.2.0, berth-oci's own)
(cd "$work/bundle" && { runc spec 2>/dev/null || "$here/berth-oci" spec; })
sed -i 's/"terminal": true/"terminal": false/; s/"sh"\]/"true"]/; s/^\(\s*\)"sh"$/\1"true"/' "$work/bundle/config.json"
"$here/berth-oci" --root "$work/warm" state none >/dev/null 2>&1 || true   # builds the jar and its AOT cache once

declare -A commands
for rt in berth-oci runc crun; do
    bin=$rt; [ "$rt" = berth-oci ] && bin="$here/berth-oci"
    if [ "$rt" = berth-oci ] || command -v "$rt" >/dev/null; then
        r="$bin --root $work/$rt"
        commands[$rt]="sh -c '$r create -b $work/bundle c && $r start c && $r delete -f c'"
        commands[$rt-state]="sh -c '$r state none 2>/dev/null; true'"
    fi
done
names=()
for n in berth-oci runc crun berth-oci-state runc-state crun-state; do [ -n "${commands[$n]:-}" ] && names+=("$n"); done
args=()
for n in "${names[@]}"; do args+=(-n "$n" "${commands[$n]}"); done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/result.json" "${args[@]}" >/dev/null

python3 - "$work/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] * 1000 for r in results}
print("| runtime: create + start + delete | median | min – max | berth-oci ÷ this |")
print("|---|---|---|---|")
for r in results:
    n = r["command"]
    base = "berth-oci-state" if n.endswith("-state") else "berth-oci"
    label = n.replace("-state", ": one `state` call") if n.endswith("-state") else n
    print(f"| {label} | {med[n]:.0f} ms | {r['min']*1000:.0f} – {r['max']*1000:.0f} ms | {med[base]/med[n]:.2f} |")
print(f"\n{len(results[0]['times'])} runs each; lower is better.")
PY
