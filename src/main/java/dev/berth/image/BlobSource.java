package dev.berth.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where an image's blobs come from: a registry, an unpacked archive. The caller verifies what it gets. */
@FunctionalInterface
public interface BlobSource {
    /** The blob's bytes, as a stream the caller closes. */
    InputStream open(Digest digest) throws IOException;

    /** The blob's bytes written to file (no more than limit of them, where the source can tell). */
    default void copyTo(Digest digest, Path file, long limit) throws IOException {
        try (InputStream in = open(digest)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
