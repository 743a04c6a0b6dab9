package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * How berth binds libc through FFM: functions linked on first use, errno captured with each call, a
 * negative result turned into a {@link SyscallException}. {@link Libc}, {@link Tty} and {@link Spawn}
 * declare their functions with these.
 */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Native() {}

    /**
     * A libc function, linked on first use: linking every binding up front costs tens of milliseconds of
     * start-up, and most commands use a handful.
     */
    static final class Downcall {
        private final String name;
        private final FunctionDescriptor descriptor;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
            this.name = name;
            this.descriptor = descriptor;
            this.options = options;
        }

        MethodHandle handle() {
            MethodHandle h = handle;
            if (h == null) {
                h = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
                handle = h;
            }
            return h;
        }
    }

    /** Links every binding declared in the classes: for the AOT training run. */
    static void linkAll(Class<?>... classes) {
        for (Class<?> type : classes) {
            for (var field : type.getDeclaredFields()) {
                if (field.getType() == Downcall.class) {
                    try {
                        field.setAccessible(true);
                        ((Downcall) field.get(null)).handle();
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }

    /** A function that reports failure by its return value only (no errno). */
    static Downcall fn(String name, MemoryLayout result, MemoryLayout... args) {
        return new Downcall(name, FunctionDescriptor.of(result, args));
    }

    static Downcall errnoFn(String name, MemoryLayout result, MemoryLayout... args) {
        return new Downcall(name, FunctionDescriptor.of(result, args), CAPTURE_ERRNO);
    }

    static Downcall errnoVariadic(String name, int firstVariadic, MemoryLayout result, MemoryLayout... args) {
        return new Downcall(name, FunctionDescriptor.of(result, args), CAPTURE_ERRNO,
                Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** Runs one errno-capturing call; returns its result, or throws when it is negative. */
    static long call(String name, String subject, Invocation invocation) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = invocation.invoke(state, arena);
            if (result < 0) {
                throw new SyscallException(name, subject, (int) ERRNO.get(state, 0L));
            }
            return result;
        } catch (SyscallException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call " + name + " failed", t);
        }
    }

    @FunctionalInterface
    interface Invocation {
        long invoke(MemorySegment callState, Arena arena) throws Throwable;
    }

    static MemorySegment str(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }
}
