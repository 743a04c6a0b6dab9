package dev.berth.network;

import dev.berth.BerthException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 subnet such as 10.77.0.0/24: parsing, membership, overlap and the n-th address. */
public record Subnet(int base, int prefixLength) {
    public Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
        base &= mask(prefixLength);
    }

    public static Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new BerthException("invalid subnet '" + cidr + "': expected ADDRESS/PREFIX, e.g. 10.77.0.0/24");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new BerthException("invalid subnet '" + cidr + "': bad prefix length");
        }
        if (prefix < 8 || prefix > 30) {
            throw new BerthException("invalid subnet '" + cidr + "': the prefix length must be between 8 and 30");
        }
        int address = toInt(parseAddress(cidr.substring(0, slash)).getAddress());
        if ((address & ~mask(prefix)) != 0) {
            throw new BerthException("invalid subnet '" + cidr + "': host bits are set (did you mean "
                    + new Subnet(address, prefix) + "?)");
        }
        return new Subnet(address, prefix);
    }

    /** A dotted-quad IPv4 address; anything else (names included) is refused without a lookup. */
    public static InetAddress parseAddress(String text) {
        if (!text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new BerthException("invalid IPv4 address '" + text + "'");
        }
        String[] parts = text.split("\\.");
        byte[] raw = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                throw new BerthException("invalid IPv4 address '" + text + "'");
            }
            raw[i] = (byte) v;
        }
        return fromInt(toInt(raw));
    }

    public boolean contains(InetAddress address) {
        return address instanceof Inet4Address && (toInt(address.getAddress()) & mask(prefixLength)) == base;
    }

    public boolean overlaps(Subnet other) {
        int common = Math.min(prefixLength, other.prefixLength);
        return (base & mask(common)) == (other.base & mask(common));
    }

    /** The n-th address of the subnet (0 is the network address). */
    public InetAddress address(long n) {
        return fromInt((int) (base + n));
    }

    public long size() {
        return 1L << (32 - prefixLength);
    }

    public InetAddress network() {
        return address(0);
    }

    public InetAddress broadcast() {
        return address(size() - 1);
    }

    public long indexOf(InetAddress address) {
        return Integer.toUnsignedLong(toInt(address.getAddress()) - base);
    }

    @Override
    public String toString() {
        return network().getHostAddress() + "/" + prefixLength;
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    static int toInt(byte[] raw) {
        return ((raw[0] & 0xff) << 24) | ((raw[1] & 0xff) << 16) | ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
    }

    static InetAddress fromInt(int value) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16),
                    (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
