package dev.berth.cgroup;

import dev.berth.linux.Bpf;
import dev.berth.linux.Libc;

import java.nio.file.Path;

/** A group on the unified (v2) hierarchy: one directory, every controller's files in it. */
final class V2Cgroup implements Cgroup {
    private final Path dir;

    V2Cgroup(Path dir) {
        this.dir = dir;
    }

    @Override
    public String path() {
        return dir.toString();
    }

    @Override
    public boolean restrictDevices(java.util.List<DeviceRule> allowed) {
        if (allowed.stream().anyMatch(r -> r.type() == 'a' && r.major() < 0 && r.minor() < 0 && r.access().length() == 3)) {
            return true; // every device: no program at all
        }
        int group = Libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY
                | Libc.O_CLOEXEC, 0);
        try {
            int program = Bpf.loadDeviceProgram(DeviceFilter.program(allowed));
            try {
                // the group holds the program from now on; it goes with the group
                Bpf.attachDeviceProgram(group, program);
            } finally {
                Libc.closeQuietly(program);
            }
        } finally {
            Libc.closeQuietly(group);
        }
        return true;
    }

    @Override
    public void apply(Resources r) {
        if (r.memory() != null) {
            CgroupFiles.write(dir.resolve("memory.max"), r.memory().toString());
            // v2 counts swap apart: memory-swap is memory + swap, as Docker's flag means it
            long swap = r.memorySwap() == null ? 0 : r.memorySwap() < 0 ? -1 : r.memorySwap() - r.memory();
            CgroupFiles.write(dir.resolve("memory.swap.max"), swap < 0 ? "max" : String.valueOf(swap));
        }
        if (r.memoryReservation() != null) {
            CgroupFiles.write(dir.resolve("memory.low"), r.memoryReservation().toString());
        }
        if (r.cpuQuota() != null) {
            CgroupFiles.write(dir.resolve("cpu.max"), r.cpuQuota() + " " + r.cpuPeriod());
        }
        if (r.cpuShares() != null) {
            // Docker's conversion of shares (2..262144) to weight (1..10000)
            long weight = 1 + ((r.cpuShares() - 2) * 9999) / 262142;
            CgroupFiles.write(dir.resolve("cpu.weight"), String.valueOf(weight));
        }
        if (r.cpusetCpus() != null) {
            CgroupFiles.write(dir.resolve("cpuset.cpus"), r.cpusetCpus());
        }
        if (r.pidsLimit() != null) {
            CgroupFiles.write(dir.resolve("pids.max"), r.pidsLimit() < 0 ? "max" : r.pidsLimit().toString());
        }
    }

    @Override
    public void addProcess(int pid) {
        CgroupFiles.write(dir.resolve("cgroup.procs"), String.valueOf(pid));
    }

    @Override
    public boolean enterCallingThread() {
        return false; // a v2 domain group takes whole processes only
    }

    @Override
    public Stats stats() {
        return new Stats(CgroupFiles.readLong(dir.resolve("memory.current")),
                CgroupFiles.readLong(dir.resolve("memory.max")),
                CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec") * 1000,
                CgroupFiles.readLong(dir.resolve("pids.current")));
    }

    @Override
    public java.util.List<Integer> processes() {
        return CgroupFiles.pids(dir.resolve("cgroup.procs"));
    }

    @Override
    public boolean freeze(boolean frozen) {
        if (!java.nio.file.Files.exists(dir.resolve("cgroup.freeze"))) {
            return false;
        }
        CgroupFiles.write(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
        for (int attempt = 0; attempt < 200; attempt++) {
            if (frozen() == frozen) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return false;
    }

    @Override
    public boolean frozen() {
        return CgroupFiles.keyed(dir.resolve("cgroup.events"), "frozen") == 1;
    }

    @Override
    public boolean oomKilled() {
        return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill") > 0;
    }

    @Override
    public void destroy() {
        CgroupFiles.removeDirectory(dir);
    }
}
