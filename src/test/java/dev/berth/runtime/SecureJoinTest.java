package dev.berth.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecureJoinTest {
    @TempDir
    Path root;

    @Test
    void plainPathsResolveUnderTheRoot() {
        assertThat(SecureJoin.resolve(root, "/dev/pts")).isEqualTo(root.resolve("dev/pts"));
    }

    @Test
    void dotDotNeverClimbsAboveTheRoot() {
        assertThat(SecureJoin.resolve(root, "/../../etc/passwd")).isEqualTo(root.resolve("etc/passwd"));
    }

    @Test
    void absoluteLinksAreFollowedInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("dev"), Path.of("/etc")); // hostile: points at the host's /etc
        assertThat(SecureJoin.resolve(root, "/dev/shm")).isEqualTo(root.resolve("etc/shm"));
    }

    @Test
    void relativeLinksWithDotDotStayInside() throws Exception {
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../../../../tmp"));
        assertThat(SecureJoin.resolve(root, "/a/up/x")).isEqualTo(root.resolve("tmp/x"));
    }

    @Test
    void linkLoopsAreRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("loop"), Path.of("/loop"));
        assertThatThrownBy(() -> SecureJoin.resolve(root, "/loop/x")).hasMessageContaining("too many symbolic links");
    }
}
