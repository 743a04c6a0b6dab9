package dev.berth.nftables;

import dev.berth.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules rendered from a plan, checked as the JSON libnftables receives. */
class FirewallTest {
    private static String render(FirewallPlan plan) {
        return Json.render(Firewall.batch(plan)).replaceAll("\\s+", "");
    }

    @Test
    void anEmptyPlanOnlyRemovesTheTable() {
        assertThat(render(new FirewallPlan(List.of(), List.of()))).isEqualTo(
                "{\"nftables\":[{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"berth\"}}},"
                        + "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":\"berth\"}}}]}");
    }

    @Test
    void networksAreMasqueradedAndIsolatedFromEachOther() {
        String json = render(new FirewallPlan(List.of(new FirewallPlan.Network("a", "172.17.0.0/16", false),
                new FirewallPlan.Network("b", "10.77.0.0/24", true)), List.of()));
        assertThat(json)
                .contains("\"comment\":\"isolatea from b\"".replace(" ", ""))
                .contains("\"comment\":\"masqueradealeavingit\"")
                .doesNotContain("masqueradebleavingit") // internal: no way out
                .contains("\"comment\":\"bisinternal:nothingleavesit\"");
    }

    @Test
    void aPublishedPortIsDnatForOthersAndForTheHostButLoopbackOnlyForTheHost() {
        String json = render(new FirewallPlan(List.of(new FirewallPlan.Network("a", "172.17.0.0/16", false)), List.of(
                new FirewallPlan.Port(null, 8080, "tcp", "172.17.0.2", 80, "web"),
                new FirewallPlan.Port("127.0.0.1", 9000, "udp", "172.17.0.3", 53, "dns"))));
        assertThat(json).contains("{\"dnat\":{\"family\":\"ip\",\"addr\":\"172.17.0.2\",\"port\":80}}");
        assertThat(json.split("\"chain\":\"prerouting\"")).hasSize(2); // one prerouting rule: the public one
        assertThat(json.split("\"chain\":\"output\"")).hasSize(3);     // both reachable from the host itself
        assertThat(json).contains("{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\"]}}");
    }
}
