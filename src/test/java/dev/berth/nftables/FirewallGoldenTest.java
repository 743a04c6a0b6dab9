package dev.berth.nftables;

import dev.berth.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole batch libnftables receives for a set of networks and ports, compared with a golden file under
 * src/test/resources/nftables. After a deliberate change of the rules, rewrite them with
 * {@code ./mvnw test -Dtest=FirewallGoldenTest -Dberth.golden.update=true} and review the diff.
 */
class FirewallGoldenTest {
    private static final FirewallPlan.Network DEFAULT = new FirewallPlan.Network("berth0", "172.18.0.0/16", false);
    private static final FirewallPlan.Network LAB = new FirewallPlan.Network("lab", "10.77.0.0/24", false);
    private static final FirewallPlan.Network BACKEND = new FirewallPlan.Network("backend", "10.78.0.0/24", true);

    record Case(String name, FirewallPlan plan) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> plans() {
        return Stream.of(
                new Case("empty", new FirewallPlan(List.of(), List.of())),
                new Case("one-network", new FirewallPlan(List.of(DEFAULT), List.of())),
                new Case("isolated-and-internal", new FirewallPlan(List.of(DEFAULT, LAB, BACKEND), List.of())),
                new Case("published-ports", new FirewallPlan(List.of(DEFAULT, LAB), List.of(
                        new FirewallPlan.Port(null, 8080, "tcp", "172.18.0.2", 80, "web"),
                        new FirewallPlan.Port("127.0.0.1", 9000, "tcp", "172.18.0.3", 9000, "admin"),
                        new FirewallPlan.Port("0.0.0.0", 5353, "udp", "10.77.0.2", 53, "dns")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plans")
    void theBatchIsTheGoldenOne(Case c) throws Exception {
        String rendered = Json.render(Firewall.batch(c.plan())) + "\n";
        Path golden = Path.of("src/test/resources/nftables", c.name() + ".json");
        if (Boolean.getBoolean("berth.golden.update")) {
            Files.writeString(golden, rendered);
        }
        assertThat(rendered).isEqualTo(Files.readString(golden));
    }
}
