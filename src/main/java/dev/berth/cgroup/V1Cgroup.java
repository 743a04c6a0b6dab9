package dev.berth.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A group on the cgroup v1 hierarchies: one directory per controller (memory, cpu, cpuacct, cpuset, pids, devices). */
final class V1Cgroup implements Cgroup {
    private final Map<String, Path> dirs;

    V1Cgroup(Map<String, Path> dirs) {
        this.dirs = Map.copyOf(dirs);
    }

    @Override
    public String path() {
        return dirs.getOrDefault("memory", dirs.values().iterator().next()).toString();
    }

    private Path file(String controller, String name) {
        Path dir = dirs.get(controller);
        return dir == null ? null : dir.resolve(name);
    }

    @Override
    public void apply(Resources r) {
        if (r.memory() != null) {
            Path limit = file("memory", "memory.limit_in_bytes");
            Path swap = file("memory", "memory.memsw.limit_in_bytes");
            if (swap != null && Files.exists(swap)) {
                // the kernel keeps memory <= memory+swap at every step: raise memsw first, lower it last
                String memsw = String.valueOf(r.memorySwap() == null ? r.memory() : r.memorySwap() < 0 ? -1 : r.memorySwap());
                long current = CgroupFiles.readLong(swap);
                if (current != 0 && r.memory() > current) {
                    CgroupFiles.write(swap, memsw);
                    CgroupFiles.write(limit, r.memory().toString());
                } else {
                    CgroupFiles.write(limit, r.memory().toString());
                    CgroupFiles.write(swap, memsw);
                }
            } else {
                CgroupFiles.write(limit, r.memory().toString());
            }
        }
        if (r.memoryReservation() != null) {
            CgroupFiles.write(file("memory", "memory.soft_limit_in_bytes"), r.memoryReservation().toString());
        }
        if (r.memorySwappiness() != null) {
            CgroupFiles.write(file("memory", "memory.swappiness"), r.memorySwappiness().toString());
        }
        if (r.oomKillDisable() != null) {
            CgroupFiles.write(file("memory", "memory.oom_control"), r.oomKillDisable() ? "1" : "0");
        }
        if (r.kernelTcpMemory() != null) {
            CgroupFiles.write(file("memory", "memory.kmem.tcp.limit_in_bytes"), r.kernelTcpMemory().toString());
        }
        if (r.cpuQuota() != null) {
            CgroupFiles.write(file("cpu", "cpu.cfs_period_us"), r.cpuPeriod().toString());
            CgroupFiles.write(file("cpu", "cpu.cfs_quota_us"), r.cpuQuota().toString());
        }
        if (r.cpuShares() != null) {
            CgroupFiles.write(file("cpu", "cpu.shares"), r.cpuShares().toString());
        }
        if (r.cpusetCpus() != null) {
            CgroupFiles.write(file("cpuset", "cpuset.cpus"), r.cpusetCpus());
        }
        if (r.pidsLimit() != null) {
            CgroupFiles.write(file("pids", "pids.max"), r.pidsLimit() < 0 ? "max" : r.pidsLimit().toString());
        }
    }

    @Override
    public boolean restrictDevices(java.util.List<DeviceRule> allowed) {
        Path deny = file("devices", "devices.deny");
        if (deny == null) {
            return false;
        }
        CgroupFiles.write(deny, "a");
        for (DeviceRule rule : allowed) {
            CgroupFiles.write(file("devices", "devices.allow"), rule.text());
        }
        return true;
    }

    @Override
    public void addProcess(int pid) {
        dirs.values().forEach(dir -> CgroupFiles.write(dir.resolve("cgroup.procs"), String.valueOf(pid)));
    }

    @Override
    public boolean enterCallingThread() {
        // "0" is the writing thread itself: the kernel then moves it without taking the global
        // threadgroup lock, whose every write waits for an RCU grace period (~4 ms per hierarchy)
        dirs.values().forEach(dir -> CgroupFiles.write(dir.resolve("tasks"), "0"));
        return true;
    }

    @Override
    public Stats stats() {
        return new Stats(CgroupFiles.readLong(file("memory", "memory.usage_in_bytes")),
                limit(CgroupFiles.readLong(file("memory", "memory.limit_in_bytes"))),
                dirs.containsKey("cpuacct") ? CgroupFiles.readLong(file("cpuacct", "cpuacct.usage")) : 0,
                dirs.containsKey("pids") ? CgroupFiles.readLong(file("pids", "pids.current")) : 0);
    }

    /** v1 reports "no limit" as a huge number. */
    private static long limit(long value) {
        return value >= Long.MAX_VALUE / 2 ? 0 : value;
    }

    @Override
    public java.util.List<Integer> processes() {
        return CgroupFiles.pids(dirs.values().iterator().next().resolve("cgroup.procs"));
    }

    @Override
    public boolean freeze(boolean frozen) {
        Path state = file("freezer", "freezer.state");
        if (state == null) {
            return false;
        }
        String wanted = frozen ? "FROZEN" : "THAWED";
        CgroupFiles.write(state, wanted);
        return CgroupFiles.await(state, wanted);
    }

    @Override
    public boolean frozen() {
        Path state = file("freezer", "freezer.state");
        return state != null && !CgroupFiles.read(state).equals("THAWED") && !CgroupFiles.read(state).isEmpty();
    }

    @Override
    public boolean oomKilled() {
        Path oom = file("memory", "memory.oom_control");
        return oom != null && CgroupFiles.keyed(oom, "oom_kill") > 0;
    }

    @Override
    public void destroy() {
        dirs.values().forEach(CgroupFiles::removeDirectory);
    }
}
