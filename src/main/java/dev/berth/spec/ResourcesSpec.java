package dev.berth.spec;

/**
 * OCI {@code linux.resources}, flattened to what berth sets: memory (limit, swap = memory + swap,
 * reservation), cpu (shares, quota per period, cpus), pids limit. Null means unset.
 */
public record ResourcesSpec(Long memoryLimit, Long memorySwap, Long memoryReservation, Long cpuShares,
                            Long cpuQuota, Long cpuPeriod, String cpusetCpus, Long pidsLimit) {
    public static final ResourcesSpec NONE = new ResourcesSpec(null, null, null, null, null, null, null, null);
}
