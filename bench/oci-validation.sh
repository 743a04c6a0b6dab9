#!/usr/bin/env bash
# Conformance: the OCI runtime-tools validation suite (github.com/opencontainers/runtime-tools, built
# outside this repository: `make runtimetest validation-executables`) against berth-oci, runc and crun
# on the same machine, in the same run. Counts each runtime's TAP results (ok, not ok, skip) per test
# program and in total. Each runtime runs inside a private mount and network namespace (where crun gets
# the hybrid layout's /sys/fs/cgroup/unified unmounted, since it refuses hybrid hosts), with a timeout
# per program; nothing reaches the host's network.
# Needs root. Usage: sudo bench/oci-validation.sh /path/to/runtime-tools [RUNTIME...]
# (BERTH_OCI=/path/to/berth-oci tests another checkout of berth, e.g. a copy that no build touches meanwhile)
set -euo pipefail
tools=$(cd "$1" && pwd); shift
here=$(cd "$(dirname "$0")/.." && pwd)
runtimes=("$@"); [ ${#runtimes[@]} -gt 0 ] || runtimes=(berth-oci runc crun)
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
out=$(mktemp -d /tmp/berth-oci-validation.XXXXXX)

for rt in "${runtimes[@]}"; do
    bin=$(command -v "$rt" || true); [ "$rt" = berth-oci ] && bin="${BERTH_OCI:-$here/berth-oci}"
    [ -n "$bin" ] || { echo "$rt: not installed, skipped" >&2; continue; }
    unshare --mount --net --propagation private -- sh -c '
        ip link set lo up
        [ "$1" = crun ] && umount /sys/fs/cgroup/unified 2>/dev/null
        cd "$2"
        for t in validation/*/*.t; do
            name=${t#validation/}; name=${name%%/*}
            echo "# $name"
            RUNTIME="$3" timeout 60 "$t" 2>/dev/null || echo "not ok - $name exited $? (or timed out)"
        done' sh "$rt" "$tools" "$bin" > "$out/$rt.tap" 2>&1 || true
done

printf '| runtime | ok | not ok | skipped |\n|---|---|---|---|\n'
for rt in "${runtimes[@]}"; do
    f="$out/$rt.tap"; [ -f "$f" ] || continue
    ok=$(grep -c '^ok ' "$f" | grep -v SKIP || true)
    skip=$(grep -c '^ok .*# *SKIP' "$f" || true)
    notok=$(grep -c '^not ok' "$f" || true)
    printf '| %s | %s | %s | %s |\n' "$rt" "$((ok - skip))" "$notok" "$skip"
done
echo
echo "TAP output per runtime: $out/*.tap"
