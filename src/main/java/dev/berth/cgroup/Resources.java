package dev.berth.cgroup;

import dev.berth.spec.ResourcesSpec;

/**
 * The limits of one group, each null when not asked for (the kernel's default: unlimited).
 *
 * @param memorySwap       memory plus swap, in bytes; -1 for unlimited swap
 * @param cpuQuota         microseconds of CPU time per {@code cpuPeriod} (0.5 CPU = 50000 of 100000)
 * @param cpuShares        relative weight, Docker's scale (1024 is the default)
 * @param memorySwappiness 0–100, cgroup v1 only (v2 has no such knob: ignored there, as Docker does)
 * @param oomKillDisable   cgroup v1 only, likewise
 * @param kernelTcpMemory  cgroup v1 only, likewise
 */
public record Resources(Long memory, Long memorySwap, Long memoryReservation, Long cpuQuota, Long cpuPeriod,
                        Long cpuShares, String cpusetCpus, Long pidsLimit, Long memorySwappiness,
                        Boolean oomKillDisable, Long kernelTcpMemory) {
    public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null);

    public Resources(Long memory, Long memorySwap, Long memoryReservation, Long cpuQuota, Long cpuPeriod,
                     Long cpuShares, String cpusetCpus, Long pidsLimit) {
        this(memory, memorySwap, memoryReservation, cpuQuota, cpuPeriod, cpuShares, cpusetCpus, pidsLimit,
                null, null, null);
    }

    /** A spec's resources as a group's limits. */
    public static Resources of(ResourcesSpec r) {
        return r == null ? NONE : new Resources(r.memoryLimit(), r.memorySwap(), r.memoryReservation(), r.cpuQuota(),
                r.cpuPeriod(), r.cpuShares(), r.cpusetCpus(), r.pidsLimit(), r.memorySwappiness(), r.oomKillDisable(),
                r.kernelTcpMemory());
    }

    public boolean isEmpty() {
        return equals(NONE);
    }
}
