package dev.berth.cgroup;

/**
 * The limits of one group, each null when not asked for (the kernel's default: unlimited).
 *
 * @param memorySwap memory plus swap, in bytes; -1 for unlimited swap
 * @param cpuQuota   microseconds of CPU time per {@code cpuPeriod} (0.5 CPU = 50000 of 100000)
 * @param cpuShares  relative weight, Docker's scale (1024 is the default)
 */
public record Resources(Long memory, Long memorySwap, Long memoryReservation, Long cpuQuota, Long cpuPeriod,
                        Long cpuShares, String cpusetCpus, Long pidsLimit) {
    public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null);

    public boolean isEmpty() {
        return equals(NONE);
    }
}
