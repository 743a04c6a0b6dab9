package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libseccomp ({@code libseccomp.so.2}, Debian's {@code libseccomp2}) through FFM: the library runc, crun
 * and podman compile their seccomp filters with. A {@link Filter} is built rule by rule and exported as a
 * classic BPF program, which {@link Libc#seccompFilter} installs; the program can be kept and installed
 * again without libseccomp.
 */
public final class Libseccomp {
    private static final Linker LINKER = Linker.nativeLinker();
    private static volatile SymbolLookup library;

    /** Actions (seccomp.h's SCMP_ACT_*); ERRNO and TRACE carry their value in the low 16 bits. */
    public static final int ACT_KILL_PROCESS = 0x80000000, ACT_KILL_THREAD = 0, ACT_TRAP = 0x00030000,
            ACT_ERRNO = 0x00050000, ACT_TRACE = 0x7ff00000, ACT_LOG = 0x7ffc0000, ACT_ALLOW = 0x7fff0000;

    /** Comparisons (enum scmp_compare). */
    public static final int CMP_NE = 1, CMP_LT = 2, CMP_LE = 3, CMP_EQ = 4, CMP_GE = 5, CMP_GT = 6, CMP_MASKED_EQ = 7;

    private static final int NR_SCMP_ERROR = -1;
    private static final int EEXIST = 17;

    private Libseccomp() {}

    /** Whether the library can be loaded on this host. */
    public static boolean available() {
        try {
            lookup();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** One argument comparison of a rule: argument arg compared by op with a (and b for MASKED_EQ: (x &amp; a) == b). */
    public record Condition(int arg, int op, long a, long b) {}

    /** The filter attribute for libseccomp's optimisation level (enum scmp_filter_attr). */
    private static final int SCMP_FLTATR_CTL_OPTIMIZE = 8;

    /** A filter under construction; closed releases libseccomp's context. */
    public static final class Filter implements AutoCloseable {
        private final MemorySegment ctx;

        private Filter(MemorySegment ctx) {
            this.ctx = ctx;
        }

        /** A filter whose calls not matched by any rule get defaultAction. */
        public static Filter create(int defaultAction) {
            try {
                MemorySegment ctx = (MemorySegment) handle("seccomp_init", FunctionDescriptor.of(ADDRESS, JAVA_INT))
                        .invokeExact(defaultAction);
                if (ctx.equals(MemorySegment.NULL)) {
                    throw new IllegalArgumentException("libseccomp refused the default action 0x" + Integer.toHexString(defaultAction));
                }
                return new Filter(ctx);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /**
         * Has the exported program find a call by a binary search over the syscall numbers (libseccomp's
         * optimisation level 2) instead of a chain of comparisons; false when this libseccomp (before
         * 2.5) cannot. Every call the container makes is checked faster, and so is the kernel's own pass
         * over every syscall number of every architecture when the filter is installed (its action cache).
         */
        public boolean searchAsBinaryTree() {
            try {
                int rc = (int) handle("seccomp_attr_set", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT))
                        .invokeExact(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
                return rc == 0;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /**
         * Adds an architecture by libseccomp's name ("x86_64", "x86", "x32", "aarch64"…); false when the name is
         * unknown. The native one is there already.
         */
        public boolean addArchitecture(String name) {
            try (Arena arena = Arena.ofConfined()) {
                int token = (int) handle("seccomp_arch_resolve_name", FunctionDescriptor.of(JAVA_INT, ADDRESS))
                        .invokeExact(arena.allocateFrom(name));
                if (token == 0) {
                    return false;
                }
                int rc = (int) handle("seccomp_arch_add", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))
                        .invokeExact(ctx, token);
                if (rc < 0 && rc != -EEXIST) {
                    throw new SyscallException("seccomp_arch_add", name, -rc);
                }
                return true;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /**
         * Adds a rule: syscall (by name) gets action when every condition holds. Returns false, adding nothing,
         * when libseccomp does not know the call on this architecture (as runc skips it).
         */
        public boolean addRule(int action, String syscall, List<Condition> conditions) {
            try (Arena arena = Arena.ofConfined()) {
                int number = (int) handle("seccomp_syscall_resolve_name", FunctionDescriptor.of(JAVA_INT, ADDRESS))
                        .invokeExact(arena.allocateFrom(syscall));
                if (number == NR_SCMP_ERROR) {
                    return false;
                }
                // struct scmp_arg_cmp { unsigned int arg; enum scmp_compare op; scmp_datum_t datum_a, datum_b; }
                MemorySegment array = arena.allocate(24L * Math.max(1, conditions.size()), 8);
                for (int i = 0; i < conditions.size(); i++) {
                    Condition c = conditions.get(i);
                    array.set(JAVA_INT, i * 24L, c.arg());
                    array.set(JAVA_INT, i * 24L + 4, c.op());
                    array.set(JAVA_LONG, i * 24L + 8, c.a());
                    array.set(JAVA_LONG, i * 24L + 16, c.b());
                }
                int rc = (int) handle("seccomp_rule_add_array",
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS))
                        .invokeExact(ctx, action, number, conditions.size(), array);
                if (rc < 0) {
                    throw new SyscallException("seccomp_rule_add", syscall, -rc);
                }
                return true;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /** The filter as a classic BPF program (struct sock_filter[]), ready for {@link Libc#seccompFilter}. */
        public byte[] export() {
            int[] pipe = Libc.pipe();
            try {
                int rc = (int) handle("seccomp_export_bpf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))
                        .invokeExact(ctx, pipe[1]);
                if (rc < 0) {
                    throw new SyscallException("seccomp_export_bpf", null, -rc);
                }
                Libc.close(pipe[1]);
                pipe[1] = -1;
                java.io.ByteArrayOutputStream program = new java.io.ByteArrayOutputStream();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment buffer = arena.allocate(65536);
                    for (int n; (n = Libc.read(pipe[0], buffer, buffer.byteSize())) > 0; ) {
                        program.write(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, n);
                    }
                }
                return program.toByteArray();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            } finally {
                Libc.closeQuietly(pipe[0]);
                if (pipe[1] >= 0) {
                    Libc.closeQuietly(pipe[1]);
                }
            }
        }

        @Override
        public void close() {
            try {
                handle("seccomp_release", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(ctx);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, MethodHandle> HANDLES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return HANDLES.computeIfAbsent(name, n -> LINKER.downcallHandle(lookup().findOrThrow(n), descriptor));
    }

    private static SymbolLookup lookup() {
        SymbolLookup l = library;
        if (l == null) {
            try {
                l = SymbolLookup.libraryLookup("libseccomp.so.2", Arena.global());
            } catch (IllegalArgumentException e) {
                throw new dev.berth.BerthException("libseccomp.so.2 not found: install Debian's libseccomp2", e);
            }
            library = l;
        }
        return l;
    }
}
