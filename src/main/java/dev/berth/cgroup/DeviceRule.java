package dev.berth.cgroup;

/**
 * One entry of a device allow-list, as the v1 devices controller writes it ({@code c 1:3 rwm}).
 *
 * @param type   'c' (character), 'b' (block) or 'a' (all)
 * @param major  the major number, -1 for any
 * @param minor  the minor number, -1 for any
 * @param access any of r (read), w (write), m (mknod)
 */
public record DeviceRule(char type, int major, int minor, String access) {
    public DeviceRule {
        if ("abc".indexOf(type) < 0 || access.isEmpty() || !access.matches("[rwm]+")) {
            throw new IllegalArgumentException("invalid device rule " + type + " " + major + ":" + minor + " " + access);
        }
    }

    public String text() {
        return type + " " + number(major) + ":" + number(minor) + " " + access;
    }

    private static String number(int n) {
        return n < 0 ? "*" : String.valueOf(n);
    }
}
