package dev.berth.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Linux capabilities by the names OCI writes (CAP_…), in the kernel's numbering, and Docker's way of
 * changing a set: --cap-add and --cap-drop take names with or without CAP_, in any case, and ALL.
 */
public final class CapabilityNames {
    /** Every capability, at the index of its number. */
    public static final List<String> ALL = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private CapabilityNames() {}

    /** Every capability this process's bounding set still has (CapBnd of /proc/self/status): all that can be given. */
    public static List<String> held() {
        long bounding = -1L;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    bounding = Long.parseUnsignedLong(line.substring("CapBnd:".length()).strip(), 16);
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // all of them, then: a missing one fails the start with EPERM
        }
        List<String> held = new ArrayList<>();
        for (int i = 0; i < ALL.size(); i++) {
            if ((bounding & (1L << i)) != 0) {
                held.add(ALL.get(i));
            }
        }
        return held;
    }

    /** net_admin, NET_ADMIN and CAP_NET_ADMIN are CAP_NET_ADMIN; ALL stays ALL; an unknown name is an error. */
    public static String canonical(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        if (upper.equals("ALL")) {
            return upper;
        }
        String full = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
        if (!ALL.contains(full)) {
            throw new IllegalArgumentException("unknown capability: \"" + name + "\"");
        }
        return full;
    }

    /**
     * Docker's rule for a container's set (moby's TweakCapabilities): ALL among the adds gives every
     * capability berth holds ({@link #held}) but the dropped ones; ALL among the drops gives only the added ones; otherwise the
     * defaults without the dropped ones, and the added ones.
     */
    public static List<String> adjusted(List<String> defaults, List<String> add, List<String> drop) {
        if (add.isEmpty() && drop.isEmpty()) {
            return defaults;
        }
        List<String> adds = add.stream().map(CapabilityNames::canonical).toList();
        List<String> drops = drop.stream().map(CapabilityNames::canonical).toList();
        Set<String> set = new LinkedHashSet<>();
        if (adds.contains("ALL")) {
            held().stream().filter(c -> !drops.contains(c)).forEach(set::add);
        } else if (drops.contains("ALL")) {
            set.addAll(adds);
        } else {
            defaults.stream().filter(c -> !drops.contains(c)).forEach(set::add);
            set.addAll(adds);
        }
        List<String> ordered = new ArrayList<>();
        ALL.stream().filter(set::contains).forEach(ordered::add); // in the kernel's order
        return ordered;
    }
}
