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

    /** A rule in the devices controller's syntax ("c 1:3 rwm", "a *:* rwm", "a" for every device). */
    public static DeviceRule parse(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([abc])(?: (\\*|\\d+):(\\*|\\d+) ([rwm]+))?").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid device rule '" + text + "'");
        }
        if (m.group(2) == null) {
            return new DeviceRule(m.group(1).charAt(0), -1, -1, "rwm");
        }
        return new DeviceRule(m.group(1).charAt(0), number(m.group(2)), number(m.group(3)), m.group(4));
    }

    private static int number(String text) {
        return text.equals("*") ? -1 : Integer.parseInt(text);
    }

    public String text() {
        return type + " " + number(major) + ":" + number(minor) + " " + access;
    }

    private static String number(int n) {
        return n < 0 ? "*" : String.valueOf(n);
    }
}
