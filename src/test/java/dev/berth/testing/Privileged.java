package dev.berth.testing;

import dev.berth.linux.Libc;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate of every privileged test: it needs root and the test sandbox (a throwaway network and mount
 * namespace, see src/test/sandbox/java). Elsewhere the test is skipped with the reason; under CI
 * (CI=true) a missing privilege fails the run instead, so CI can never pass by skipping.
 */
public final class Privileged {
    private static boolean subreaper;

    private Privileged() {}

    /**
     * Makes this JVM the subreaper of everything the tests start: a container whose berth was killed is
     * re-parented here instead of to the machine's init, so the leak check can find it.
     */
    private static synchronized void adoptOrphans() {
        if (!subreaper && Libc.geteuid() == 0) {
            Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0);
            subreaper = true;
        }
    }

    /** A tool the test needs from a Debian package (.ci/run installs them): skipped without it, failed under CI. */
    public static void requireTool(String tool, String debianPackage) {
        boolean found = tool.startsWith("/") ? java.nio.file.Files.isExecutable(java.nio.file.Path.of(tool))
                : java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool)))
                || java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin", tool));
        if (found) {
            return;
        }
        String missing = "needs " + tool + " (apt-get install " + debianPackage + "; .ci/run installs it)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(missing);
        }
        Assumptions.abort("skipped: " + missing);
    }

    public static void require() {
        String missing = null;
        adoptOrphans();
        if (Libc.geteuid() != 0) {
            missing = "needs root";
        } else if (System.getenv("BERTH_TEST_SANDBOX") == null) {
            missing = "needs the test sandbox (run through Maven: ./mvnw verify)";
        }
        if (missing == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("privileged test cannot run under CI: " + missing);
        }
        Assumptions.abort("skipped: " + missing);
    }
}
