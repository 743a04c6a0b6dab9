package dev.berth.nftables;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * berth's own nftables table, {@code inet berth} (or {@code inet berth-ID} for an installation with
 * its own identity: each renders only its own), rendered from a {@link FirewallPlan} ({@link FirewallRules})
 * as one JSON batch and applied as one transaction: the table is created (so that deleting it cannot fail),
 * deleted and built again, so the kernel holds either the old rules or the new ones. Never touches another
 * table.
 */
public final class Firewall {
    public static final String FAMILY = NftJson.FAMILY;
    public static final String TABLE = NftJson.TABLE;

    private final Nftables nft;
    private final String table;

    public Firewall(Nftables nft) {
        this(nft, TABLE);
    }

    public Firewall(Nftables nft, String table) {
        this.nft = nft;
        this.table = table;
    }

    /** The complete JSON batch for plan (the empty plan removes the table), without the plan's marker. */
    public static Map<String, Object> batch(FirewallPlan plan) {
        return batch(TABLE, plan);
    }

    private static Map<String, Object> batch(String table, FirewallPlan plan) {
        return plan.isEmpty() ? NftJson.batch(table, List.of(), null, List.of())
                : NftJson.batch(table, FirewallRules.CHAINS, null, FirewallRules.of(plan));
    }

    /**
     * Applies plan unless the kernel holds it already; explain hears it as the nft commands that would
     * do the same. The table carries a fingerprint of the batch that made it (an empty regular chain
     * named {@code plan-<fingerprint>}): the table is current when that chain is there and so are all
     * the rules. A commit costs an RCU grace period or two (~20 ms here) and most commands change
     * nothing, while a listing costs well under a millisecond; a ruleset someone flushed, or a table
     * someone deleted or emptied, is made again.
     */
    public void apply(FirewallPlan plan, Explain explain) {
        if (!nft.available()) {
            if (!plan.isEmpty()) {
                throw new BerthException("libnftables is not installed (apt-get install nftables): berth cannot set up NAT");
            }
            return;
        }
        List<Expr.Rule> rules = plan.isEmpty() ? List.of() : FirewallRules.of(plan);
        String marker = "plan-" + fingerprint(Json.render(batch(table, plan)));
        if (isCurrent(plan, rules.size(), marker)) {
            return;
        }
        explain(plan, rules, marker, explain);
        nft.run(Json.render(plan.isEmpty() ? batch(table, plan) : NftJson.batch(table, FirewallRules.CHAINS, marker, rules)));
    }

    /** Whether the kernel's table is the one this plan makes (no table at all for the empty plan). */
    private boolean isCurrent(FirewallPlan plan, int expectedRules, String marker) {
        String listing;
        try {
            listing = nft.run(Json.render(NftJson.listTable(table)));
        } catch (Libnftables.NftablesException noTable) {
            return plan.isEmpty();
        }
        if (plan.isEmpty()) {
            return false;
        }
        @SuppressWarnings("unchecked")
        List<Object> objects = (List<Object>) Json.parseObject(listing).get("nftables");
        long rules = objects.stream().filter(o -> o instanceof Map<?, ?> m && m.containsKey("rule")).count();
        boolean marked = objects.stream().anyMatch(o -> o instanceof Map<?, ?> m && m.get("chain") instanceof Map<?, ?> chain
                && marker.equals(chain.get("name")));
        return marked && rules == expectedRules;
    }

    /** 64-bit FNV-1a of the batch, in hex. */
    static String fingerprint(String batch) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < batch.length(); i++) {
            hash = (hash ^ batch.charAt(i)) * 0x100000001b3L;
        }
        return String.format("%016x", hash);
    }

    /** The batch as nft commands, one per line; a rule shows as its chain and comment. */
    private void explain(FirewallPlan plan, List<Expr.Rule> rules, String marker, Explain explain) {
        if (plan.isEmpty()) {
            explain.say("nft delete table inet " + table);
            return;
        }
        explain.say("nft -f - (one transaction): flush and rebuild table inet " + table);
        explain.say("  nft add chain inet " + table + " " + marker + "   # marks the plan this table holds");
        for (Expr.Chain c : FirewallRules.CHAINS) {
            explain.say("  nft add chain inet " + table + " " + c.name() + " { type " + c.type() + " hook " + c.hook()
                    + " priority " + c.priority() + "; }");
        }
        for (Expr.Rule r : rules) {
            explain.say("  nft add rule inet " + table + " " + r.chain() + " … comment \"" + r.comment() + "\"");
        }
    }

    /** The table as nftables itself lists it (JSON), or an empty string when it does not exist. */
    public String list() {
        if (!nft.available()) {
            return "";
        }
        try {
            return nft.run(Json.render(NftJson.listTable(table)));
        } catch (Libnftables.NftablesException e) {
            return "";
        }
    }

    /** The comment of each rule of berth's live table that names subject. */
    public List<String> rulesMentioning(String subject) {
        List<String> rules = new ArrayList<>();
        String listing = list();
        if (listing.isEmpty()) {
            return rules;
        }
        @SuppressWarnings("unchecked")
        List<Object> objects = (List<Object>) Json.parseObject(listing).get("nftables");
        for (Object o : objects) {
            if (o instanceof Map<?, ?> m && m.get("rule") instanceof Map<?, ?> rule
                    && rule.get("comment") instanceof String comment && comment.contains(subject)) {
                rules.add(comment);
            }
        }
        return rules;
    }
}
