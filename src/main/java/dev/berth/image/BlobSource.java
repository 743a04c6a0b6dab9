package dev.berth.image;

import java.io.IOException;
import java.io.InputStream;

/** Where an image's blobs come from: a registry, an unpacked archive. The caller verifies and closes. */
@FunctionalInterface
public interface BlobSource {
    InputStream open(Digest digest) throws IOException;
}
