package dev.berth.cli;

import dev.berth.api.ResourceOptions;
import dev.berth.spec.ResourcesSpec;
import picocli.CommandLine.Option;

/** The resource limit flags shared by run and update (Docker's names and units). */
final class LimitOptions {
    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit (e.g. 64m, 1g).")
    String memory;

    @Option(names = "--memory-swap", paramLabel = "SIZE", description = "Memory plus swap limit; -1 for unlimited swap.")
    String memorySwap;

    @Option(names = "--memory-reservation", paramLabel = "SIZE", description = "Soft memory limit.")
    String memoryReservation;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs the container may use (e.g. 0.5).")
    String cpus;

    @Option(names = {"-c", "--cpu-shares"}, paramLabel = "N", description = "Relative CPU weight (default 1024).")
    Long cpuShares;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs allowed (e.g. 0-1,3).")
    String cpusetCpus;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes (-1: no limit).")
    Long pidsLimit;

    ResourcesSpec toSpec() {
        return ResourceOptions.parse(memory, memorySwap, memoryReservation, cpus, cpuShares, cpusetCpus, pidsLimit);
    }
}
