package dev.berth.nftables;

import dev.berth.Explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * berth's own nftables table, {@code inet berth}, rendered from a {@link FirewallPlan} as one JSON batch
 * and applied as one transaction: the table is created (so that deleting it cannot fail), deleted and
 * built again, so the kernel holds either the old rules or the new ones. Never touches another table.
 *
 * <ul>
 *   <li>{@code forward} (filter): networks cannot reach each other; internal networks reach nothing
 *       outside themselves.</li>
 *   <li>{@code postrouting} (srcnat): each network's traffic leaving it is masqueraded (the tutorial's
 *       {@code firewall-cmd --add-masquerade}); so is DNAT'ed traffic from a container back into its own
 *       network (hairpin) and from the host's loopback.</li>
 *   <li>{@code prerouting} and {@code output} (dstnat): published ports, for traffic arriving from other
 *       hosts and containers, and for traffic the host itself sends to its own addresses.</li>
 * </ul>
 */
public final class Firewall {
    public static final String FAMILY = "inet";
    public static final String TABLE = "berth";

    private Firewall() {}

    /** The complete JSON batch for plan (the empty plan removes the table). */
    public static Map<String, Object> batch(FirewallPlan plan) {
        List<Object> commands = new ArrayList<>();
        Map<String, Object> table = map("family", FAMILY, "name", TABLE);
        commands.add(map("add", map("table", table)));
        commands.add(map("delete", map("table", table)));
        if (!plan.isEmpty()) {
            commands.add(map("add", map("table", table)));
            chain(commands, "forward", "filter", "forward", 0);
            chain(commands, "postrouting", "nat", "postrouting", 100);
            chain(commands, "prerouting", "nat", "prerouting", -100);
            chain(commands, "output", "nat", "output", -100);
            forwardRules(commands, plan);
            natRules(commands, plan);
        }
        return map("nftables", commands);
    }

    /**
     * Applies plan unless the kernel holds it already; explain hears it as the nft commands that would
     * do the same. The table carries a fingerprint of the batch that made it (an empty regular chain
     * named {@code plan-<fingerprint>}): the table is current when that chain is there and so are all
     * the rules. A commit costs an RCU grace period or two (~20 ms here) and most commands change
     * nothing, while a listing costs well under a millisecond; a ruleset someone flushed, or a table
     * someone deleted or emptied, is made again.
     */
    public static void apply(FirewallPlan plan, Explain explain) {
        Map<String, Object> batch = batch(plan);
        String fingerprint = fingerprint(dev.berth.state.Json.render(batch));
        @SuppressWarnings("unchecked")
        List<Object> commands = (List<Object>) batch.get("nftables");
        if (!plan.isEmpty()) {
            commands.add(3, map("add", map("chain", map("family", FAMILY, "table", TABLE, "name", "plan-" + fingerprint))));
        }
        try (Libnftables nft = new Libnftables()) {
            if (isCurrent(nft, plan, commands, fingerprint)) {
                return;
            }
            explain(batch, explain);
            nft.run(dev.berth.state.Json.render(batch));
        }
    }

    /** Whether the kernel's table is the one this batch makes (no table at all for the empty plan). */
    private static boolean isCurrent(Libnftables nft, FirewallPlan plan, List<Object> commands, String fingerprint) {
        String listing;
        try {
            listing = nft.run("{\"nftables\":[{\"list\":{\"table\":{\"family\":\"" + FAMILY + "\",\"name\":\"" + TABLE + "\"}}}]}");
        } catch (Libnftables.NftablesException noTable) {
            return plan.isEmpty();
        }
        if (plan.isEmpty()) {
            return false;
        }
        long expectedRules = commands.stream().filter(c -> kind(c, "add", "rule")).count();
        @SuppressWarnings("unchecked")
        List<Object> objects = (List<Object>) dev.berth.state.Json.parseObject(listing).get("nftables");
        long rules = objects.stream().filter(o -> o instanceof Map<?, ?> m && m.containsKey("rule")).count();
        boolean marked = objects.stream().anyMatch(o -> o instanceof Map<?, ?> m && m.get("chain") instanceof Map<?, ?> chain
                && ("plan-" + fingerprint).equals(chain.get("name")));
        return marked && rules == expectedRules;
    }

    private static boolean kind(Object command, String verb, String object) {
        return command instanceof Map<?, ?> c && c.get(verb) instanceof Map<?, ?> o && o.containsKey(object);
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
    @SuppressWarnings("unchecked")
    private static void explain(Map<String, Object> batch, Explain explain) {
        List<Object> commands = (List<Object>) batch.get("nftables");
        if (commands.size() == 2) {
            explain.say("nft delete table inet berth");
            return;
        }
        explain.say("nft -f - (one transaction): flush and rebuild table inet berth");
        for (Object command : commands.subList(2, commands.size())) {
            Map<String, Object> add = (Map<String, Object>) ((Map<String, Object>) command).get("add");
            if (add == null) {
                continue;
            }
            if (add.get("chain") instanceof Map<?, ?> chain && chain.get("hook") == null) {
                explain.say("  nft add chain inet berth " + chain.get("name") + "   # marks the plan this table holds");
            } else if (add.get("chain") instanceof Map<?, ?> chain) {
                explain.say("  nft add chain inet berth " + chain.get("name") + " { type " + chain.get("type") + " hook "
                        + chain.get("hook") + " priority " + chain.get("prio") + "; }");
            } else if (add.get("rule") instanceof Map<?, ?> rule) {
                explain.say("  nft add rule inet berth " + rule.get("chain") + " … comment \"" + rule.get("comment") + "\"");
            }
        }
    }

    /** The table as nftables itself lists it (JSON), or an empty string when it does not exist. */
    public static String list() {
        try (Libnftables nft = new Libnftables()) {
            return nft.run("{\"nftables\": [{\"list\": {\"table\": {\"family\": \"inet\", \"name\": \"berth\"}}}]}");
        } catch (Libnftables.NftablesException e) {
            return "";
        }
    }

    /** Each rule of berth's live table whose comment names subject, as nft prints it. */
    public static List<String> rulesMentioning(String subject) {
        List<String> rules = new ArrayList<>();
        String listing = list();
        for (String rule : listing.split("\\{\\s*\"rule\"")) {
            int comment = rule.indexOf("\"comment\"");
            if (comment >= 0 && rule.substring(comment).split("\"")[3].contains(subject)) {
                rules.add(rule.substring(comment).split("\"")[3]);
            }
        }
        return rules;
    }

    private static void forwardRules(List<Object> commands, FirewallPlan plan) {
        if (!plan.ports().isEmpty()) {
            rule(commands, "forward", "published ports are reachable from every network",
                    match("in", map("ct", map("key", "status")), "dnat"), verdict("accept"));
        }
        for (FirewallPlan.Network a : plan.networks()) {
            for (FirewallPlan.Network b : plan.networks()) {
                if (a != b) {
                    rule(commands, "forward", "isolate " + a.name() + " from " + b.name(),
                            match("==", ip("saddr"), prefix(a.subnet())), match("==", ip("daddr"), prefix(b.subnet())),
                            verdict("drop"));
                }
            }
            if (a.internal()) {
                rule(commands, "forward", a.name() + " is internal: nothing leaves it",
                        match("==", ip("saddr"), prefix(a.subnet())), match("!=", ip("daddr"), prefix(a.subnet())),
                        verdict("drop"));
                rule(commands, "forward", a.name() + " is internal: nothing enters it",
                        match("!=", ip("saddr"), prefix(a.subnet())), match("==", ip("daddr"), prefix(a.subnet())),
                        verdict("drop"));
            }
        }
    }

    private static void natRules(List<Object> commands, FirewallPlan plan) {
        for (FirewallPlan.Network n : plan.networks()) {
            if (!n.internal()) {
                rule(commands, "postrouting", "masquerade " + n.name() + " leaving it",
                        match("==", ip("saddr"), prefix(n.subnet())), match("!=", ip("daddr"), prefix(n.subnet())),
                        map("masquerade", null));
            }
            rule(commands, "postrouting", "hairpin: published ports reached from inside " + n.name(),
                    match("==", ip("saddr"), prefix(n.subnet())), match("==", ip("daddr"), prefix(n.subnet())),
                    match("in", map("ct", map("key", "status")), "dnat"), map("masquerade", null));
        }
        if (!plan.ports().isEmpty()) {
            rule(commands, "postrouting", "published ports reached through the host's loopback",
                    match("==", ip("saddr"), prefix("127.0.0.0/8")),
                    match("in", map("ct", map("key", "status")), "dnat"), map("masquerade", null));
        }
        for (FirewallPlan.Port p : plan.ports()) {
            List<Object> expr = new ArrayList<>();
            if (p.hostIp() != null && !p.hostIp().equals("0.0.0.0")) {
                expr.add(match("==", ip("daddr"), p.hostIp()));
            } else {
                expr.add(match("==", map("fib", map("result", "type", "flags", List.of("daddr"))), "local"));
            }
            expr.add(match("==", map("payload", map("protocol", p.protocol(), "field", "dport")), p.hostPort()));
            expr.add(map("dnat", map("family", "ip", "addr", p.containerIp(), "port", p.containerPort())));
            String comment = p.owner() + " " + (p.hostIp() == null ? "" : p.hostIp() + ":") + p.hostPort() + "->"
                    + p.containerPort() + "/" + p.protocol();
            if (!p.loopbackOnly()) {
                rule(commands, "prerouting", comment, expr.toArray());
            }
            rule(commands, "output", comment, expr.toArray());
        }
    }

    // ---- JSON building blocks -------------------------------------------------------------------------

    private static void chain(List<Object> commands, String name, String type, String hook, int priority) {
        commands.add(map("add", map("chain", map("family", FAMILY, "table", TABLE, "name", name, "type", type,
                "hook", hook, "prio", priority, "policy", "accept"))));
    }

    private static void rule(List<Object> commands, String chain, String comment, Object... expr) {
        commands.add(map("add", map("rule", map("family", FAMILY, "table", TABLE, "chain", chain,
                "expr", List.of(expr), "comment", comment))));
    }

    private static Map<String, Object> match(String op, Object left, Object right) {
        return map("match", map("op", op, "left", left, "right", right));
    }

    private static Map<String, Object> ip(String field) {
        return map("payload", map("protocol", "ip", "field", field));
    }

    private static Object prefix(String cidr) {
        String[] parts = cidr.split("/");
        return map("prefix", map("addr", parts[0], "len", Integer.parseInt(parts[1])));
    }

    private static Map<String, Object> verdict(String verdict) {
        return map(verdict, null);
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
