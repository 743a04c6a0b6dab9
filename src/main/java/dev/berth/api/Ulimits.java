package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.ProcessSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code --ulimit NAME=SOFT[:HARD]} in Docker's syntax (-1 is unlimited), as OCI rlimits. */
final class Ulimits {
    private static final List<String> NAMES = List.of("as", "core", "cpu", "data", "fsize", "locks", "memlock",
            "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

    private Ulimits() {}

    static List<ProcessSpec.Rlimit> parse(List<String> specs) {
        List<ProcessSpec.Rlimit> limits = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq < 0 ? spec : spec.substring(0, eq);
            if (eq < 0 || !NAMES.contains(name)) {
                throw invalid(spec, eq < 0 ? "expected NAME=SOFT[:HARD]" : "unknown limit " + name);
            }
            String[] values = spec.substring(eq + 1).split(":", -1);
            if (values.length > 2) {
                throw invalid(spec, "expected NAME=SOFT[:HARD]");
            }
            long soft = value(spec, values[0]);
            long hard = values.length == 2 ? value(spec, values[1]) : soft;
            if (hard != -1 && (soft == -1 || soft > hard)) {
                throw invalid(spec, "the soft limit is above the hard one");
            }
            String type = "RLIMIT_" + name.toUpperCase(Locale.ROOT);
            limits.removeIf(l -> l.type().equals(type));
            limits.add(new ProcessSpec.Rlimit(type, hard, soft));
        }
        return limits;
    }

    private static long value(String spec, String text) {
        try {
            long v = Long.parseLong(text);
            if (v < -1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(spec, "'" + text + "' is not a limit (a number, or -1 for unlimited)");
        }
    }

    private static BerthException invalid(String spec, String why) {
        return new BerthException("invalid --ulimit '" + Names.printable(spec) + "': " + why);
    }
}
