package dev.berth.nftables;

import dev.berth.BerthException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When berth commits its table, and when a listing shows the kernel holds it already. */
class FirewallApplyTest {
    private static final FirewallPlan ONE = new FirewallPlan(
            List.of(new FirewallPlan.Network("berth0", "172.18.0.0/16", false)), List.of());
    private static final FirewallPlan TWO = new FirewallPlan(List.of(new FirewallPlan.Network("berth0", "172.18.0.0/16", false),
            new FirewallPlan.Network("lab", "10.77.0.0/24", true)), List.of());

    private final RecordingNftables nft = new RecordingNftables();
    private final Firewall firewall = new Firewall(nft);

    @Test
    void aPlanIsCommittedOnceAndThenOnlyListed() {
        firewall.apply(ONE, ignored -> { });
        firewall.apply(ONE, ignored -> { });
        firewall.apply(ONE, ignored -> { });
        assertThat(nft.commits).hasSize(1);
        assertThat(nft.listings).isEqualTo(3);
        assertThat(nft.commits.getFirst()).contains("\"name\" : \"plan-" + Firewall.fingerprint(
                dev.berth.json.Json.render(Firewall.batch(ONE))) + "\"");
    }

    @Test
    void aChangedPlanIsCommittedAgain() {
        firewall.apply(ONE, ignored -> { });
        firewall.apply(TWO, ignored -> { });
        assertThat(nft.commits).hasSize(2);
        assertThat(firewall.rulesMentioning("lab")).contains("isolate lab from berth0", "lab is internal: nothing leaves it");
    }

    @Test
    void aFlushedRulesetOrAnEmptiedTableIsBuiltAgain() {
        firewall.apply(ONE, ignored -> { });
        nft.flushRuleset();
        firewall.apply(ONE, ignored -> { });
        nft.flushTable();
        firewall.apply(ONE, ignored -> { });
        assertThat(nft.commits).hasSize(3);
        assertThat(firewall.rulesMentioning("berth0")).contains("masquerade berth0 leaving it");
    }

    @Test
    void theEmptyPlanRemovesTheTableOnlyWhenThereIsOne() {
        firewall.apply(new FirewallPlan(List.of(), List.of()), ignored -> { });
        assertThat(nft.commits).isEmpty();
        firewall.apply(ONE, ignored -> { });
        List<String> said = new ArrayList<>();
        firewall.apply(new FirewallPlan(List.of(), List.of()), said::add);
        assertThat(nft.commits).hasSize(2);
        assertThat(said).containsExactly("nft delete table inet berth");
        assertThat(firewall.list()).isEmpty();
    }

    @Test
    void explanationsNameEveryChainAndRuleByItsComment() {
        List<String> said = new ArrayList<>();
        firewall.apply(ONE, said::add);
        assertThat(said.getFirst()).isEqualTo("nft -f - (one transaction): flush and rebuild table inet berth");
        assertThat(said).contains("  nft add chain inet berth postrouting { type nat hook postrouting priority 100; }",
                "  nft add rule inet berth postrouting … comment \"masquerade berth0 leaving it\"");
    }

    @Test
    void withoutLibnftablesANetworkIsAClearErrorAndNoNetworkIsFine() {
        nft.available = false;
        firewall.apply(new FirewallPlan(List.of(), List.of()), ignored -> { });
        assertThatThrownBy(() -> firewall.apply(ONE, ignored -> { })).isInstanceOf(BerthException.class)
                .hasMessage("libnftables is not installed (apt-get install nftables): berth cannot set up NAT");
        assertThat(nft.commits).isEmpty();
    }
}
