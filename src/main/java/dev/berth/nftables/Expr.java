package dev.berth.nftables;

import java.util.List;

/**
 * The nftables expressions berth's rules are made of, as typed values; {@link NftJson} is the one place
 * that turns them into libnftables' JSON.
 */
public sealed interface Expr {
    /** {@code left op right}, e.g. {@code ip saddr == 10.0.0.0/24}. */
    record Match(String op, Expr left, Expr right) implements Expr {}

    /** A header field: {@code ip saddr}, {@code tcp dport}. */
    record Payload(String protocol, String field) implements Expr {}

    /** {@code ct status}. */
    record CtStatus() implements Expr {}

    /** {@code fib daddr type}: the kind of the destination address (local, unicast…). */
    record FibDaddrType() implements Expr {}

    /** An address prefix, {@code 10.0.0.0/24}. */
    record Prefix(String address, int length) implements Expr {
        public static Prefix of(String cidr) {
            String[] parts = cidr.split("/");
            return new Prefix(parts[0], Integer.parseInt(parts[1]));
        }
    }

    /** A constant: a string (an address, {@code local}, {@code dnat}) or a number (a port). */
    record Value(Object value) implements Expr {}

    record Masquerade() implements Expr {}

    /** Destination NAT to an IPv4 address and port. */
    record Dnat(String address, int port) implements Expr {}

    /** accept, drop. */
    record Verdict(String verdict) implements Expr {}

    /** A rule of berth's table: its chain, the comment that names its purpose, its expressions. */
    record Rule(String chain, String comment, List<Expr> expressions) {
        public Rule {
            expressions = List.copyOf(expressions);
        }
    }

    /** A base chain of berth's table. */
    record Chain(String name, String type, String hook, int priority) {}

    static Match match(String op, Expr left, Expr right) {
        return new Match(op, left, right);
    }

    static Payload ip(String field) {
        return new Payload("ip", field);
    }

    static Match dnatted() {
        return match("in", new CtStatus(), new Value("dnat"));
    }
}
