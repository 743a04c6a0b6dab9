package dev.berth.nftables;

import dev.berth.nftables.Expr.Chain;
import dev.berth.nftables.Expr.Rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one place where berth's typed nftables objects become libnftables' JSON (libnftables-json(5)). */
final class NftJson {
    static final String FAMILY = "inet";
    /** The default installation's table. */
    static final String TABLE = "berth";

    private NftJson() {}

    /**
     * The batch that replaces berth's table by one with chains, marker (an empty regular chain, or null)
     * and rules; with no chain at all, the batch only removes the table. The table is created first so
     * that deleting it cannot fail.
     */
    static Map<String, Object> batch(List<Chain> chains, String marker, List<Rule> rules) {
        return batch(TABLE, chains, marker, rules);
    }

    static Map<String, Object> batch(String tableName, List<Chain> chains, String marker, List<Rule> rules) {
        List<Object> commands = new ArrayList<>();
        Map<String, Object> table = map("family", FAMILY, "name", tableName);
        commands.add(map("add", map("table", table)));
        commands.add(map("delete", map("table", table)));
        if (!chains.isEmpty()) {
            commands.add(map("add", map("table", table)));
            if (marker != null) {
                commands.add(map("add", map("chain", map("family", FAMILY, "table", tableName, "name", marker))));
            }
            for (Chain c : chains) {
                commands.add(map("add", map("chain", map("family", FAMILY, "table", tableName, "name", c.name(), "type", c.type(),
                        "hook", c.hook(), "prio", c.priority(), "policy", "accept"))));
            }
            for (Rule r : rules) {
                commands.add(map("add", map("rule", map("family", FAMILY, "table", tableName, "chain", r.chain(),
                        "expr", r.expressions().stream().map(NftJson::expr).toList(), "comment", r.comment()))));
            }
        }
        return map("nftables", commands);
    }

    /** The command that lists berth's table. */
    static Map<String, Object> listTable(String tableName) {
        return map("nftables", List.of(map("list", map("table", map("family", FAMILY, "name", tableName)))));
    }

    static Object expr(Expr e) {
        return switch (e) {
            case Expr.Match m -> map("match", map("op", m.op(), "left", expr(m.left()), "right", expr(m.right())));
            case Expr.Payload p -> map("payload", map("protocol", p.protocol(), "field", p.field()));
            case Expr.CtStatus ignored -> map("ct", map("key", "status"));
            case Expr.FibDaddrType ignored -> map("fib", map("result", "type", "flags", List.of("daddr")));
            case Expr.Prefix p -> map("prefix", map("addr", p.address(), "len", p.length()));
            case Expr.Value v -> v.value();
            case Expr.Masquerade ignored -> map("masquerade", null);
            case Expr.Dnat d -> map("dnat", map("family", "ip", "addr", d.address(), "port", d.port()));
            case Expr.Verdict v -> map(v.verdict(), null);
        };
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
