package dev.berth.spec;

/**
 * OCI {@code linux.resources}, flattened to what berth sets: memory (limit, swap = memory + swap,
 * reservation, swappiness, the OOM killer, kernel TCP memory), cpu (shares, quota per period,
 * cpus), pids limit. Null means unset.
 */
public record ResourcesSpec(Long memoryLimit, Long memorySwap, Long memoryReservation, Long cpuShares,
                            Long cpuQuota, Long cpuPeriod, String cpusetCpus, Long pidsLimit, Long memorySwappiness,
                            Boolean oomKillDisable, Long kernelTcpMemory) {
    public static final ResourcesSpec NONE = new ResourcesSpec(null, null, null, null, null, null, null, null);

    /** The limits Docker's and runc's command lines set (no swappiness, OOM killer or kernel memory). */
    public ResourcesSpec(Long memoryLimit, Long memorySwap, Long memoryReservation, Long cpuShares, Long cpuQuota,
                         Long cpuPeriod, String cpusetCpus, Long pidsLimit) {
        this(memoryLimit, memorySwap, memoryReservation, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, pidsLimit,
                null, null, null);
    }
}
