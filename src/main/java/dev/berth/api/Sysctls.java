package dev.berth.api;

import dev.berth.BerthException;

import java.util.List;
import java.util.Map;

/**
 * {@code --sysctl KEY=VALUE}: only the kernel settings a container's own namespaces hold, as runc allows
 * them: the IPC namespace's (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*), the UTS namespace's
 * kernel.domainname, and net.* when the container has a network namespace of its own.
 */
final class Sysctls {
    private static final List<String> IPC = List.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private Sysctls() {}

    /** Checks each setting against the namespaces the container will have; returns them unchanged. */
    static Map<String, String> checked(Map<String, String> sysctls, boolean ownNetwork) {
        for (Map.Entry<String, String> e : sysctls.entrySet()) {
            String key = e.getKey();
            if (!key.matches("[a-z0-9_]+(\\.[A-Za-z0-9_-]+)+")) {
                throw new BerthException("invalid --sysctl '" + Names.printable(key) + "': not a sysctl name");
            }
            if (e.getValue().contains("\n")) {
                throw new BerthException("invalid --sysctl '" + key + "': the value has a newline");
            }
            boolean namespaced = IPC.contains(key) || key.startsWith("fs.mqueue.") || key.equals("kernel.domainname");
            if (key.startsWith("net.")) {
                if (!ownNetwork) {
                    throw new BerthException("sysctl '" + key + "' is not allowed: the container shares a network namespace");
                }
            } else if (!namespaced) {
                throw new BerthException("sysctl '" + key + "' is not in a separate kernel namespace");
            }
        }
        return sysctls;
    }

    /** KEY=VALUE specs of the command line as a map (a later one wins). */
    static Map<String, String> parse(List<String> specs) {
        Map<String, String> sysctls = new java.util.LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new BerthException("invalid --sysctl '" + Names.printable(spec) + "': expected KEY=VALUE");
            }
            sysctls.put(spec.substring(0, eq), spec.substring(eq + 1));
        }
        return sysctls;
    }
}
