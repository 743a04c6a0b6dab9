package dev.berth.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OCI mount options split into mount(2) flags and the filesystem's data string, as mount(8) would:
 * {@code ["nosuid", "mode=755"]} becomes {@code MS_NOSUID} and {@code "mode=755"}. A propagation option
 * ({@code rprivate}, {@code rslave}, {@code rshared}, …) becomes {@code propagation}, and berth's own
 * {@value #COPY_UP} asks for an empty volume to be filled with what the image has at its target first
 * (Docker's behaviour for a new volume).
 *
 * @param propagation MS_PRIVATE, MS_SLAVE, MS_SHARED or MS_UNBINDABLE, or 0 when none was asked for
 */
record MountOptions(long flags, String data, boolean readonly, long propagation, boolean copyUp) {
    static final String COPY_UP = "copyup";
    static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_NOATIME = 1024, MS_BIND = 4096, MS_REC = 16384, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
            MS_SHARED = 1 << 20,
            MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24;

    private static final Map<String, Long> FLAGS = Map.of(
            "nosuid", MS_NOSUID, "nodev", MS_NODEV, "noexec", MS_NOEXEC, "noatime", MS_NOATIME,
            "relatime", MS_RELATIME, "strictatime", MS_STRICTATIME, "bind", MS_BIND, "rbind", MS_BIND | MS_REC,
            "ro", MS_RDONLY);
    static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE, "slave", MS_SLAVE, "rslave", MS_SLAVE,
            "shared", MS_SHARED, "rshared", MS_SHARED, "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE);
    private static final List<String> IGNORED = List.of("rw", "suid", "dev", "exec");

    static MountOptions parse(List<String> options) {
        long flags = 0;
        long propagation = 0;
        boolean copyUp = false;
        List<String> data = new ArrayList<>();
        for (String option : options) {
            Long flag = FLAGS.get(option);
            if (flag != null) {
                flags |= flag;
            } else if (PROPAGATION.containsKey(option)) {
                propagation = PROPAGATION.get(option);
            } else if (option.equals(COPY_UP)) {
                copyUp = true;
            } else if (!IGNORED.contains(option)) {
                data.add(option);
            }
        }
        return new MountOptions(flags, data.isEmpty() ? null : String.join(",", data), (flags & MS_RDONLY) != 0,
                propagation, copyUp);
    }

    boolean isRecursive() {
        return (flags & MS_REC) != 0;
    }

    /** The mount_setattr(2) attributes of these flags (MOUNT_ATTR_RDONLY…NOEXEC share MS_*'s low bits). */
    long attributes() {
        return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }

    boolean isBind() {
        return (flags & MS_BIND) != 0;
    }
}
