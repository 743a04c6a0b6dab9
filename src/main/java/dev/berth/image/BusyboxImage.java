package dev.berth.image;

import dev.berth.BerthException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built-in default image: the host's statically linked busybox (Debian's {@code busybox-static}),
 * one link per applet, and the few files in /etc a container expects.
 */
public final class BusyboxImage {
    /** Its name: Docker Hub's busybox, so that {@code run busybox} finds it without a registry. */
    public static final String NAME = "busybox";
    private static final List<Path> CANDIDATES = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    private BusyboxImage() {}

    public static ImageRecord create(ImageStore store) {
        Path busybox = CANDIDATES.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                new BerthException("no busybox on this host: install it with: apt-get install busybox-static"));
        try {
            if (!isStatic(busybox)) {
                throw new BerthException(busybox + " is dynamically linked and cannot run alone in a container: "
                        + "install busybox-static (apt-get install busybox-static)");
            }
        } catch (IOException e) {
            throw new BerthException("cannot read " + busybox + ": " + e.getMessage(), e);
        }
        List<String> applets = applets(busybox);
        String key = layerKey(busybox, applets);
        store.addLayer(key, rootfs -> populate(rootfs, busybox, applets));
        return LocalImages.record(store, ImageReference.parse(NAME), "busybox-static " + busybox, key, null,
                ImageConfig.command(List.of("sh")));
    }

    /** The layer's key: a digest of what it is made of (this berth's recipe, the binary, its applets). */
    private static String layerKey(Path busybox, List<String> applets) {
        try {
            java.security.MessageDigest sha256 = Digest.sha256();
            sha256.update("berth built-in busybox layer v1\n".getBytes(StandardCharsets.UTF_8));
            sha256.update(Files.readAllBytes(busybox));
            sha256.update(String.join("\n", applets).getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(sha256.digest());
        } catch (IOException e) {
            throw new BerthException("cannot read " + busybox + ": " + e.getMessage(), e);
        }
    }

    private static void populate(Path rootfs, Path busybox, List<String> applets) throws IOException {
        for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "home", "proc", "sys",
                "dev", "var/log", "var/run", "run")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        setSticky(tmp);
        Files.setPosixFilePermissions(rootfs.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        Path target = rootfs.resolve("bin/busybox");
        Files.copy(busybox, target, StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : applets) {
            Path link = rootfs.resolve(applet.startsWith("/") ? applet.substring(1) : applet);
            if (!link.equals(target) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
        write(rootfs, "etc/passwd", """
                root:x:0:0:root:/root:/bin/sh
                daemon:x:1:1:daemon:/usr/sbin:/bin/false
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                """);
        write(rootfs, "etc/group", """
                root:x:0:
                daemon:x:1:
                tty:x:5:
                nogroup:x:65534:
                """);
        write(rootfs, "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        write(rootfs, "etc/hostname", "busybox\n");
        write(rootfs, "etc/resolv.conf", "");
        write(rootfs, "etc/nsswitch.conf", "hosts: files dns\n");
    }

    private static void write(Path rootfs, String path, String content) throws IOException {
        Files.writeString(rootfs.resolve(path), content, StandardCharsets.UTF_8);
    }

    private static void setSticky(Path dir) throws IOException {
        // java.nio has no sticky bit; "unix:mode" carries the full mode
        Files.setAttribute(dir, "unix:mode", 01777);
    }

    /** busybox's own list of its applets with their install paths. */
    private static List<String> applets(Path busybox) {
        try {
            Process process = new ProcessBuilder(busybox.toString(), "--list-full")
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new BerthException(busybox + " --list-full failed: " + out.strip());
            }
            return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new BerthException("cannot run " + busybox + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException("interrupted while listing busybox applets", e);
        }
    }

    /** An ELF executable is static when it has no PT_INTERP program header. */
    static boolean isStatic(Path elf) throws IOException {
        byte[] bytes = Files.readAllBytes(elf);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || b.getInt(0) != 0x464c457f || bytes[4] != 2) {
            throw new IOException("not a 64-bit ELF file");
        }
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            if (b.getInt((int) (phoff + (long) i * phentsize)) == 3 /* PT_INTERP */) {
                return false;
            }
        }
        return true;
    }
}
