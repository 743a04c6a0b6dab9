package dev.berth.nftables;

import dev.berth.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each typed expression as libnftables-json(5) writes it. */
class NftJsonTest {
    private static String json(Expr e) {
        return Json.render(NftJson.expr(e)).replaceAll("\\s+", "");
    }

    @Test
    void matchesOnHeaderFieldsAndPrefixes() {
        assertThat(json(Expr.match("==", Expr.ip("saddr"), Expr.Prefix.of("10.0.0.0/24")))).isEqualTo(
                "{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},"
                        + "\"right\":{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":24}}}}");
    }

    @Test
    void connectionStateFibAndValues() {
        assertThat(json(Expr.dnatted())).isEqualTo("{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"status\"}},\"right\":\"dnat\"}}");
        assertThat(json(new Expr.FibDaddrType())).isEqualTo("{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\"]}}");
        assertThat(json(new Expr.Value(8080))).isEqualTo("8080");
    }

    @Test
    void statementsAndVerdicts() {
        assertThat(json(new Expr.Masquerade())).isEqualTo("{\"masquerade\":null}");
        assertThat(json(new Expr.Dnat("172.18.0.2", 80))).isEqualTo("{\"dnat\":{\"family\":\"ip\",\"addr\":\"172.18.0.2\",\"port\":80}}");
        assertThat(json(new Expr.Verdict("drop"))).isEqualTo("{\"drop\":null}");
    }

    @Test
    void aBatchWithAMarkerPutsItRightAfterTheTable() {
        String batch = Json.render(NftJson.batch(FirewallRules.CHAINS, "plan-0123", List.of())).replaceAll("\\s+", "");
        assertThat(batch).contains("{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"berth\"}}},"
                + "{\"add\":{\"chain\":{\"family\":\"inet\",\"table\":\"berth\",\"name\":\"plan-0123\"}}}");
    }

    @Test
    void publishedPortsOnLoopbackOnlyAreNotReachableFromOtherHosts() {
        List<Expr.Rule> rules = FirewallRules.of(new FirewallPlan(List.of(), List.of(
                new FirewallPlan.Port("127.0.0.1", 9000, "tcp", "172.18.0.3", 9000, "admin"))));
        assertThat(rules).extracting(Expr.Rule::chain).doesNotContain("prerouting").contains("output");
    }
}
