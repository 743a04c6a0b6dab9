package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.ResourcesSpec;

import java.util.regex.Pattern;

/** Docker's resource flags (--memory 64m, --cpus 0.5, …) checked and turned into an OCI resources spec. */
public final class ResourceOptions {
    /** The kernel refuses smaller memory limits in practice; Docker's minimum. */
    static final long MIN_MEMORY = 6L * 1024 * 1024;
    static final long CPU_PERIOD = 100_000;
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([bkmg]?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");

    private ResourceOptions() {}

    public static ResourcesSpec parse(String memory, String memorySwap, String memoryReservation, String cpus,
                                      Long cpuShares, String cpusetCpus, Long pidsLimit) {
        int processors = Runtime.getRuntime().availableProcessors();
        Long mem = memory == null ? null : bytes("--memory", memory);
        if (mem != null && mem < MIN_MEMORY) {
            throw new BerthException("--memory " + memory + " is below the minimum of 6m");
        }
        Long swap = null;
        if (memorySwap != null) {
            if (mem == null) {
                throw new BerthException("--memory-swap needs --memory");
            }
            swap = memorySwap.equals("-1") ? -1L : bytes("--memory-swap", memorySwap);
            if (swap != -1 && swap < mem) {
                throw new BerthException("--memory-swap " + memorySwap + " must be at least --memory " + memory);
            }
        }
        Long reservation = memoryReservation == null ? null : bytes("--memory-reservation", memoryReservation);
        if (reservation != null && mem != null && reservation > mem) {
            throw new BerthException("--memory-reservation must not be larger than --memory");
        }
        Long quota = null;
        Long period = null;
        if (cpus != null) {
            double value;
            try {
                value = Double.parseDouble(cpus);
            } catch (NumberFormatException e) {
                throw new BerthException("invalid --cpus '" + cpus + "'");
            }
            if (!Double.isFinite(value) || value <= 0 || value > processors) {
                throw new BerthException("--cpus " + cpus + " is out of range: this host has " + processors
                        + " CPUs, and the value must be above 0");
            }
            period = CPU_PERIOD;
            quota = Math.round(value * CPU_PERIOD);
        }
        if (cpuShares != null && (cpuShares < 2 || cpuShares > 262144)) {
            throw new BerthException("--cpu-shares " + cpuShares + " is out of range 2-262144");
        }
        if (cpusetCpus != null) {
            if (!CPU_LIST.matcher(cpusetCpus).matches()) {
                throw new BerthException("invalid --cpuset-cpus '" + cpusetCpus + "': expected a list like 0-1,3");
            }
            for (String n : cpusetCpus.split("[,-]")) {
                if (n.length() > 6 || Integer.parseInt(n) >= processors) {
                    throw new BerthException("--cpuset-cpus " + cpusetCpus + ": CPU " + n + " does not exist (this host has "
                            + processors + ")");
                }
            }
        }
        if (pidsLimit != null && (pidsLimit == 0 || pidsLimit < -1)) {
            throw new BerthException("--pids-limit must be positive (or -1 for no limit)");
        }
        return new ResourcesSpec(mem, swap, reservation, cpuShares, quota, period, cpusetCpus, pidsLimit);
    }

    static long bytes(String flag, String text) {
        var m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new BerthException("invalid " + flag + " '" + text + "': expected a size such as 512k, 64m or 1g");
        }
        double value = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2).toLowerCase()) {
            case "k" -> 1024L;
            case "m" -> 1024L * 1024;
            case "g" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        double total = value * unit;
        if (total > MAX_BYTES) {
            throw new BerthException("invalid " + flag + " '" + text + "': larger than any machine (1 EiB at most)");
        }
        return (long) total;
    }

    /** Sizes above this are typing errors, and would overflow the kernel's counters. */
    private static final double MAX_BYTES = 0x1p60;
}
