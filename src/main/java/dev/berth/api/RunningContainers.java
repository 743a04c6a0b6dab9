package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.cgroup.Resources;
import dev.berth.cgroup.Stats;
import dev.berth.json.Json;
import dev.berth.network.Networks;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.runtime.Exec;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.ResourcesSpec;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What can be done to a running container: exec, signals, stop, its processes, usage and limits. */
final class RunningContainers {
    private final BerthPaths paths;
    private final ContainerLifecycle lifecycle;
    private final Networks networks;
    private final ContainerCgroups cgroups;

    RunningContainers(BerthPaths paths, ContainerLifecycle lifecycle, Networks networks, ContainerCgroups cgroups) {
        this.paths = paths;
        this.lifecycle = lifecycle;
        this.networks = networks;
        this.cgroups = cgroups;
    }

    /**
     * Runs a new process in a running container (berth exec): its namespaces and cgroup, the container's
     * capabilities and environment, plus what the caller adds. user resolves against the container's own
     * /etc files (through /proc/PID/root).
     */
    ContainerProcess exec(String nameOrId, List<String> command, List<String> env, String workdir, String user,
                          boolean tty, ContainerStarter.Stdio stdio) {
        ContainerRecord record = lifecycle.running(nameOrId);
        if (command.isEmpty()) {
            throw new BerthException("exec needs a command");
        }
        ContainerSpec spec = Json.read(paths.containerConfig(record.id()), ContainerSpec.class);
        ProcessSpec.User identity = user == null ? spec.process().user()
                : new UserLookup(List.of(Path.of("/proc/" + record.pid() + "/root"))).resolve(user).user();
        List<String> environment = new ArrayList<>(spec.process().env());
        if (tty) {
            environment.add("TERM=xterm");
        }
        for (String e : env) {
            if (!e.contains("=") || e.startsWith("=")) {
                throw new BerthException("invalid environment variable '" + e + "'");
            }
            environment.add(e);
        }
        String cwd = workdir != null ? workdir : spec.process().cwd();
        ProcessSpec process = new ProcessSpec(tty, identity, command, environment, cwd, spec.process().capabilities(),
                spec.process().noNewPrivileges(), spec.process().oomScoreAdj());
        return Exec.exec(record.pid(), process, spec.linux().seccomp(), ContainerCgroups.confinementOf(cgroups.open(record.id())), stdio);
    }

    /** Sends signal to a running container's first process. */
    ContainerRecord signal(String nameOrId, int signal) {
        ContainerRecord record = lifecycle.running(nameOrId);
        Pidfds.with(record, pidfd -> dev.berth.linux.Libc.pidfdSendSignal(pidfd, signal));
        return record;
    }

    /** The stop signal (SIGTERM unless set), then SIGKILL after timeoutSeconds; returns once the process is gone. */
    void stop(String nameOrId, int timeoutSeconds) {
        Pidfds.stop(lifecycle.running(nameOrId), timeoutSeconds);
    }

    /** The host's view of a running container's processes: everything in its PID namespace. */
    List<ProcessHandle> processes(String nameOrId) {
        ContainerRecord r = lifecycle.running(nameOrId);
        try {
            Path ns = Files.readSymbolicLink(Path.of("/proc/" + r.pid() + "/ns/pid"));
            return ProcessHandle.allProcesses().filter(p -> {
                try {
                    return Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/pid")).equals(ns);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        } catch (IOException e) {
            throw new BerthException("cannot read the processes of " + r.name() + ": " + e.getMessage(), e);
        }
    }

    /** The usage of a running container: its group's counters, and its interface's traffic. */
    Berth.ContainerStats stats(ContainerRecord record) {
        Stats s = cgroups.open(record.id()).stats();
        long rx = 0;
        long tx = 0;
        if (record.attachment() != null) {
            long[] counters = networks.hostCounters(record.attachment());
            rx = counters[1]; // what the host end sends is what the container receives
            tx = counters[0];
        }
        return new Berth.ContainerStats(record.id(), record.name(), s.cpuNanos(), s.memoryBytes(), s.memoryLimitBytes(),
                s.pids(), rx, tx);
    }

    /** Changes the limits of a running container. */
    void update(String nameOrId, ResourcesSpec resources) {
        cgroups.open(lifecycle.running(nameOrId).id()).apply(Resources.of(resources));
    }
}
