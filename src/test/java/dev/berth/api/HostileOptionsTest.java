package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.network.PortSpecs;
import dev.berth.spec.Signals;
import dev.berth.volume.MountSyntax;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A property of every option parser, tried on generated hostile input (a seeded generator of our own,
 * within a bounded budget): it returns, or refuses with a {@link BerthException} whose message is one
 * line; no other exception escapes, and no input makes it run long. The seed is printed on failure;
 * -Dberth.fuzz.seed=N replays it, -Dberth.fuzz.inputs=N changes the budget.
 */
class HostileOptionsTest {
    private static final long SEED = Long.getLong("berth.fuzz.seed", 20261203L);
    private static final int INPUTS = Integer.getInteger("berth.fuzz.inputs", 4000);

    /** Pieces hostile input is made of: separators, numbers at the edges, control and bidi characters. */
    private static final String[] PIECES = {"", ":", "=", "/", "..", ",", "-", "-1", "0", "1", "65535", "65536",
            "99999999999999999999", "9223372036854775807", "1g", "1e3", "NaN", "Infinity", "0x10", "\n", "\r", "\t", " ",
            "\u0000", "\u001b[31m", "\u202e", "é", "rwm", "rwx", "nofile", "core", "net.core.somaxconn", "kernel.panic",
            "seccomp", "unconfined", "no-new-privileges", "true", "false", "{", "}", "[", "]", "\"", "/dev/null",
            "/dev/fuse", "/etc/hostname", "tcp", "udp", "/tcp", "127.0.0.1", "[::1]", "::", "ro", "rw", "z", "rslave",
            "type=bind", "type=tmpfs", "source=", "target=", "dst=", "tmpfs-size=", "readonly", "k", "m", "%", "*", "a",
            "c 1:3 rwm", "b *:* m", "on-failure", "always", "SIGKILL", "9", "KILL", "cap_sys_admin", "ALL"};

    private static String hostile(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(7); i > 0; i--) {
            s.append(random.nextInt(10) == 0 ? String.valueOf((char) random.nextInt(0x3000)) : PIECES[random.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    private static void holds(String parser, Consumer<String> parse) {
        Random random = new Random(SEED ^ parser.hashCode());
        long deadline = System.nanoTime() + 5_000_000_000L; // the budget: inputs, or five seconds
        for (int i = 0; i < INPUTS && System.nanoTime() < deadline; i++) {
            String input = hostile(random);
            try {
                parse.accept(input);
            } catch (BerthException e) {
                assertThat(e.getMessage()).as("%s(%s), seed %d", parser, printable(input), SEED)
                        .isNotBlank().doesNotContain("\n").doesNotContain("\r");
            } catch (RuntimeException e) {
                throw new AssertionError(parser + "(" + printable(input) + ") threw " + e + " (seed " + SEED + ")", e);
            }
        }
    }

    private static String printable(String s) {
        return s.chars().mapToObj(c -> c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c))
                .reduce("", String::concat);
    }

    @Test
    void resourceLimitsPortsAndMountsRefuseCleanly() {
        holds("ResourceOptions memory", s -> ResourceOptions.parse(s, null, null, null, null, null, null));
        holds("ResourceOptions swap", s -> ResourceOptions.parse("64m", s, null, null, null, null, null));
        holds("ResourceOptions cpus", s -> ResourceOptions.parse(null, null, null, s, null, null, null));
        holds("ResourceOptions cpuset", s -> ResourceOptions.parse(null, null, null, null, null, s, null));
        holds("PortSpecs", PortSpecs::parse);
        holds("MountSyntax volume", MountSyntax::volume);
        holds("MountSyntax mount", MountSyntax::mount);
        holds("MountSyntax tmpfs", MountSyntax::tmpfs);
        holds("RestartPolicy", RestartPolicy::parse);
        holds("Signals", Signals::parse);
    }

    @Test
    void confinementOptionsRefuseCleanly() {
        holds("Ulimits", s -> Ulimits.parse(List.of(s)));
        holds("Sysctls", s -> Sysctls.checked(Sysctls.parse(List.of(s)), true));
        holds("SecurityOptions", s -> SecurityOptions.parse(List.of(s)));
        holds("HostDevices", s -> HostDevices.parse(List.of(s)));
        holds("seccomp profile", s -> {
            try {
                SeccompProfile.resolve("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [" + s + "]}", List.of());
            } catch (IllegalArgumentException e) {
                throw new BerthException(e.getMessage());
            }
        });
        holds("Dns", s -> new RunOptions.Dns(List.of(s), List.of(), List.of()));
    }
}
