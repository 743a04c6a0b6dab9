package dev.berth.nftables;

import dev.berth.nftables.Expr.Chain;
import dev.berth.nftables.Expr.Dnat;
import dev.berth.nftables.Expr.FibDaddrType;
import dev.berth.nftables.Expr.Masquerade;
import dev.berth.nftables.Expr.Payload;
import dev.berth.nftables.Expr.Prefix;
import dev.berth.nftables.Expr.Rule;
import dev.berth.nftables.Expr.Value;
import dev.berth.nftables.Expr.Verdict;

import java.util.ArrayList;
import java.util.List;

import static dev.berth.nftables.Expr.dnatted;
import static dev.berth.nftables.Expr.ip;
import static dev.berth.nftables.Expr.match;

/**
 * berth's table as typed rules, a pure function of a {@link FirewallPlan}:
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
public final class FirewallRules {
    public static final List<Chain> CHAINS = List.of(
            new Chain("forward", "filter", "forward", 0),
            new Chain("postrouting", "nat", "postrouting", 100),
            new Chain("prerouting", "nat", "prerouting", -100),
            new Chain("output", "nat", "output", -100));

    private FirewallRules() {}

    public static List<Rule> of(FirewallPlan plan) {
        List<Rule> rules = new ArrayList<>();
        forwardRules(rules, plan);
        natRules(rules, plan);
        return rules;
    }

    private static void forwardRules(List<Rule> rules, FirewallPlan plan) {
        if (!plan.ports().isEmpty()) {
            rules.add(rule("forward", "published ports are reachable from every network", dnatted(), new Verdict("accept")));
        }
        for (FirewallPlan.Network a : plan.networks()) {
            Prefix subnetA = Prefix.of(a.subnet());
            for (FirewallPlan.Network b : plan.networks()) {
                if (a != b) {
                    rules.add(rule("forward", "isolate " + a.name() + " from " + b.name(), match("==", ip("saddr"), subnetA),
                            match("==", ip("daddr"), Prefix.of(b.subnet())), new Verdict("drop")));
                }
            }
            if (a.internal()) {
                rules.add(rule("forward", a.name() + " is internal: nothing leaves it", match("==", ip("saddr"), subnetA),
                        match("!=", ip("daddr"), subnetA), new Verdict("drop")));
                rules.add(rule("forward", a.name() + " is internal: nothing enters it", match("!=", ip("saddr"), subnetA),
                        match("==", ip("daddr"), subnetA), new Verdict("drop")));
            }
        }
    }

    private static void natRules(List<Rule> rules, FirewallPlan plan) {
        for (FirewallPlan.Network n : plan.networks()) {
            Prefix subnet = Prefix.of(n.subnet());
            if (!n.internal()) {
                rules.add(rule("postrouting", "masquerade " + n.name() + " leaving it", match("==", ip("saddr"), subnet),
                        match("!=", ip("daddr"), subnet), new Masquerade()));
            }
            rules.add(rule("postrouting", "hairpin: published ports reached from inside " + n.name(),
                    match("==", ip("saddr"), subnet), match("==", ip("daddr"), subnet), dnatted(), new Masquerade()));
        }
        if (!plan.ports().isEmpty()) {
            rules.add(rule("postrouting", "published ports reached through the host's loopback",
                    match("==", ip("saddr"), Prefix.of("127.0.0.0/8")), dnatted(), new Masquerade()));
        }
        for (FirewallPlan.Port p : plan.ports()) {
            Expr destination = p.hostIp() != null && !p.hostIp().equals("0.0.0.0")
                    ? match("==", ip("daddr"), new Value(p.hostIp()))
                    : match("==", new FibDaddrType(), new Value("local"));
            Expr[] expr = {destination, match("==", new Payload(p.protocol(), "dport"), new Value(p.hostPort())),
                    new Dnat(p.containerIp(), p.containerPort())};
            String comment = p.owner() + " " + (p.hostIp() == null ? "" : p.hostIp() + ":") + p.hostPort() + "->"
                    + p.containerPort() + "/" + p.protocol();
            if (!p.loopbackOnly()) {
                rules.add(rule("prerouting", comment, expr));
            }
            rules.add(rule("output", comment, expr));
        }
    }

    private static Rule rule(String chain, String comment, Expr... expressions) {
        return new Rule(chain, comment, List.of(expressions));
    }
}
