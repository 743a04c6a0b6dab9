package dev.berth.image;

import io.airlift.compress.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** How a layer's bytes are compressed: from its media type, or sniffed from its first bytes. */
public enum Compression {
    NONE, GZIP, ZSTD;

    /** The compression a layer media type names; null for a type that is not a layer's. */
    public static Compression ofMediaType(String mediaType) {
        return switch (mediaType) {
            case "application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar" -> NONE;
            case "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                 "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" -> GZIP;
            case "application/vnd.oci.image.layer.v1.tar+zstd" -> ZSTD;
            default -> null;
        };
    }

    /** The OCI media type of a layer compressed this way. */
    public String layerMediaType() {
        return switch (this) {
            case NONE -> "application/vnd.oci.image.layer.v1.tar";
            case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
            case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
        };
    }

    /** Sniffs the compression from the magic bytes; in must support mark. */
    public static Compression sniff(InputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }

    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new BufferedInputStream(new GZIPInputStream(in, 65536), 65536);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(in), 65536);
        };
    }
}
