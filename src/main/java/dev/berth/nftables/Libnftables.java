package dev.berth.nftables;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * libnftables ({@code libnftables.so.1}, Debian's {@code libnftables1}) through FFM: the library firewalld
 * uses, driven with its JSON API. A context talks to the nftables of the network namespace of the thread
 * that created it.
 */
final class Libnftables implements AutoCloseable {
    private static final int NFT_CTX_DEFAULT = 0;
    private static final int NFT_CTX_OUTPUT_JSON = 1 << 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBRARY = load();
    private static final MethodHandle CTX_NEW = fn("nft_ctx_new", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle CTX_FREE = fn("nft_ctx_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SET_OUTPUT_FLAGS =
            fn("nft_ctx_output_set_flags", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle BUFFER_OUTPUT = fn("nft_ctx_buffer_output", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle BUFFER_ERROR = fn("nft_ctx_buffer_error", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle GET_OUTPUT = fn("nft_ctx_get_output_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle GET_ERROR = fn("nft_ctx_get_error_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle RUN = fn("nft_run_cmd_from_buffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private final MemorySegment ctx;

    Libnftables() {
        try {
            ctx = (MemorySegment) CTX_NEW.invokeExact(NFT_CTX_DEFAULT);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new NftablesException("nft_ctx_new failed", "");
            }
            SET_OUTPUT_FLAGS.invokeExact(ctx, NFT_CTX_OUTPUT_JSON); // JSON out, and JSON commands in
            int a = (int) BUFFER_OUTPUT.invokeExact(ctx);
            int b = (int) BUFFER_ERROR.invokeExact(ctx);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Runs one JSON command batch (atomically, as one transaction); returns its JSON output. */
    String run(String json) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) RUN.invokeExact(ctx, arena.allocateFrom(json));
            String out = string((MemorySegment) GET_OUTPUT.invokeExact(ctx));
            String err = string((MemorySegment) GET_ERROR.invokeExact(ctx));
            if (rc != 0) {
                throw new NftablesException(err.isBlank() ? "nftables command failed (" + rc + ")" : err.strip(), json);
            }
            return out;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    @Override
    public void close() {
        try {
            CTX_FREE.invokeExact(ctx);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static SymbolLookup load() {
        try {
            return SymbolLookup.libraryLookup("libnftables.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** True when libnftables could be loaded. */
    static boolean available() {
        return LIBRARY != null;
    }

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        if (LIBRARY == null) {
            return null;
        }
        return LINKER.downcallHandle(LIBRARY.findOrThrow(name), descriptor);
    }

    /** An nftables command that failed, with libnftables' own error text. */
    public static final class NftablesException extends dev.berth.BerthException {
        private final String batch;

        NftablesException(String message, String batch) {
            super(message);
            this.batch = batch;
        }

        public String batch() {
            return batch;
        }
    }
}
