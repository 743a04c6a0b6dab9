package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * bpf(2), for the one program berth loads: a {@code BPF_PROG_TYPE_CGROUP_DEVICE} filter attached to a
 * container's cgroup on the unified hierarchy, where the kernel asks it about every device open and mknod.
 */
public final class Bpf {
    private static final int SYS_BPF = 321;
    private static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;
    private static final int ATTR_SIZE = 128;

    private Bpf() {}

    /**
     * Loads a cgroup device program (struct bpf_insn[]); returns its descriptor. A program the verifier
     * refuses is an error with the verifier's log.
     */
    public static int loadDeviceProgram(byte[] instructions) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(instructions.length, 8);
            MemorySegment.copy(instructions, 0, insns, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, instructions.length);
            MemorySegment license = arena.allocateFrom("Apache");
            MemorySegment log = arena.allocate(65536);
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, BPF_PROG_TYPE_CGROUP_DEVICE);
            attr.set(JAVA_INT, 4, instructions.length / 8);
            attr.set(ADDRESS, 8, insns);
            attr.set(ADDRESS, 16, license);
            attr.set(JAVA_INT, 24, 1);                  // log_level: the verifier explains a refusal
            attr.set(JAVA_INT, 28, (int) log.byteSize());
            attr.set(ADDRESS, 32, log);
            attr.set(JAVA_INT, 68, BPF_CGROUP_DEVICE);  // expected_attach_type
            try {
                return (int) bpf(BPF_PROG_LOAD, attr, "BPF_PROG_LOAD");
            } catch (SyscallException e) {
                String why = log.getString(0).strip();
                throw new dev.berth.BerthException("the kernel refused berth's device filter: " + e.getMessage()
                        + (why.isEmpty() ? "" : " (" + why.lines().reduce((a, b) -> b).orElse("") + ")"), e);
            }
        }
    }

    /** Attaches a device program to the cgroup open on cgroupFd, next to any others (BPF_F_ALLOW_MULTI). */
    public static void attachDeviceProgram(int cgroupFd, int programFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, cgroupFd);
            attr.set(JAVA_INT, 4, programFd);
            attr.set(JAVA_INT, 8, BPF_CGROUP_DEVICE);
            attr.set(JAVA_INT, 12, BPF_F_ALLOW_MULTI);
            bpf(BPF_PROG_ATTACH, attr, "BPF_PROG_ATTACH");
        }
    }

    private static long bpf(int command, MemorySegment attr, String what) {
        return Native.call("bpf", what, (st, a) -> Libc.syscall(st, SYS_BPF, command, attr.address(), ATTR_SIZE, 0, 0, 0));
    }
}
