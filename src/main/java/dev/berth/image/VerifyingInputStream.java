package dev.berth.image;

import dev.berth.BerthException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes and counts what is read through it, and refuses to go past the size it expects, so content
 * is checked while it streams and a lying server cannot make it read without end.
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final MessageDigest sha256 = Digest.sha256();
    private final String what;
    private final long limit;
    private final String beyondLimit;
    private long count;

    /** @param limit the most bytes to accept (the expected size, or a cap when the size is unknown) */
    public VerifyingInputStream(InputStream in, String what, long limit) {
        this(in, what, limit, what + " is larger than the " + limit + " bytes expected");
    }

    private VerifyingInputStream(InputStream in, String what, long limit, String beyondLimit) {
        super(in);
        this.what = what;
        this.limit = limit;
        this.beyondLimit = beyondLimit;
    }

    /** A stream of unknown size (a layer being decompressed) that may not exceed cap: a decompression bomb stops there. */
    public static VerifyingInputStream capped(InputStream in, String what, long cap) {
        return new VerifyingInputStream(in, what, cap, what + " unpacks to more than " + cap
                + " bytes, the most a layer may take (BERTH_MAX_LAYER_SIZE, or the free space of the image store)");
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            sha256.update((byte) b);
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            sha256.update(buffer, offset, n);
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        int read = read(new byte[(int) Math.clamp(n, 0, 8192)]); // through read, so skipped bytes are hashed too
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(int n) {
        count += n;
        if (count > limit) {
            throw new BerthException(beyondLimit);
        }
    }

    /** Reads what is left (padding after a tar's end, say), so the digest covers every byte. */
    public void drain() throws IOException {
        byte[] buffer = new byte[65536];
        while (read(buffer, 0, buffer.length) >= 0) {
            // hashing
        }
    }

    public long count() {
        return count;
    }

    public Digest digest() {
        return new Digest(HexFormat.of().formatHex(sha256.digest()));
    }

    /** Drains the stream and checks its size (when expectedSize is not negative) and digest. */
    public void verify(Digest expected, long expectedSize) throws IOException {
        drain();
        if (expectedSize >= 0 && count != expectedSize) {
            throw new BerthException(what + " has " + count + " bytes, not the " + expectedSize + " its manifest gives");
        }
        Digest actual = digest();
        if (!actual.equals(expected)) {
            throw new BerthException(what + " does not match its digest: expected " + expected + ", got " + actual);
        }
    }
}
