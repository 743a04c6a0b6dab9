package dev.berth;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package dependency rule, checked on the sources: each package may use only the packages listed
 * for it (and the root package's BerthException/Trace). Lower layers know nothing of higher ones.
 */
class ArchitectureTest {
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("linux", Set.<String>of()),
            Map.entry("json", Set.<String>of()),
            Map.entry("spec", Set.<String>of()),
            Map.entry("state", Set.<String>of("json")),
            Map.entry("netlink", Set.<String>of("linux")),
            Map.entry("nftables", Set.<String>of("json")),
            Map.entry("cgroup", Set.<String>of("linux", "spec")),
            Map.entry("network", Set.<String>of("linux", "netlink", "state", "json")),
            Map.entry("image", Set.<String>of("linux", "state", "json")),
            Map.entry("registry", Set.<String>of("image", "state", "json")),
            Map.entry("runtime", Set.<String>of("linux", "spec")),
            Map.entry("volume", Set.<String>of("state", "json")),
            Map.entry("archive", Set.<String>of()),
            Map.entry("api", Set.<String>of("linux", "spec", "state", "image", "runtime", "netlink", "network", "nftables", "cgroup", "json", "registry", "volume", "archive")),
            Map.entry("dns", Set.<String>of()),
            Map.entry("oci", Set.<String>of("linux", "spec", "runtime", "cgroup", "json")),
            Map.entry("engine", Set.<String>of("api", "state", "image", "volume", "network", "json", "linux", "runtime", "spec", "archive")),
            Map.entry("daemon", Set.<String>of("linux", "state", "runtime", "api", "network", "dns", "json", "engine")),
            // a thin CLI: the library façade, the supervisor's client, and the value types the façade takes
            // and returns; never the kernel-facing packages (linux, netlink, nftables, cgroup, network, dns)
            Map.entry("cli", Set.<String>of("api", "daemon", "json", "state", "spec", "image", "runtime", "registry", "volume", "archive", "engine", "oci")));
    /** Single classes a package may use beyond its packages, each with its reason. */
    private static final Map<String, Set<String>> ALLOWED_CLASSES = Map.of(
            // network list/inspect print the network's record
            "cli", Set.of("dev.berth.network.NetworkRecord"));
    /** Files exempt from the rule, each with its reason. */
    private static final Set<String> EXEMPT = Set.of(
            // the AOT training run exercises every layer on purpose, so the cache holds their classes
            "cli/AotTraining.java");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.berth\\.([a-z]+)\\.([A-Z]\\w*)?");

    @Test
    void packagesDependOnlyDownwards() throws Exception {
        Path main = Path.of("src/main/java/dev/berth");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = main.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // the root package: BerthException, Trace
                }
                String pkg = relative.getName(0).toString();
                if (EXEMPT.contains(relative.toString())) {
                    continue;
                }
                assertThat(ALLOWED).as("package %s has a rule", pkg).containsKey(pkg);
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    String used = m.group(1);
                    String type = m.group(2) == null ? "" : "dev.berth." + used + "." + m.group(2);
                    if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)
                            && !ALLOWED_CLASSES.getOrDefault(pkg, Set.of()).contains(type)) {
                        violations.add(relative + " uses dev.berth." + used + (type.isEmpty() ? "" : " (" + type + ")"));
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
