package dev.berth.api;

import dev.berth.BerthException;

import java.util.List;

/**
 * Docker's {@code --security-opt} values, read: {@code seccomp=unconfined} or a profile's JSON (the CLI
 * reads a file's), {@code no-new-privileges[=true|false]}, {@code systempaths=unconfined} (nothing of
 * /proc and /sys masked or read-only). {@code apparmor=…} and {@code label=…} are accepted and change
 * nothing: berth confines with neither, as Docker on a host without AppArmor or SELinux. Docker's older
 * {@code KEY:VALUE} spelling is read too.
 *
 * @param seccomp         null for the default profile, "unconfined", or a profile's JSON
 * @param noNewPrivileges berth's default is true (Docker's false): setuid files gain nothing
 */
record SecurityOptions(String seccomp, boolean noNewPrivileges, boolean systemPathsUnconfined) {
    static final String UNCONFINED = "unconfined";

    static SecurityOptions parse(List<String> options) {
        String seccomp = null;
        boolean noNewPrivileges = true;
        boolean systemPaths = false;
        for (String option : options) {
            int eq = option.indexOf('=');
            int colon = option.indexOf(':');
            int split = eq >= 0 ? eq : colon;
            String key = split < 0 ? option : option.substring(0, split);
            String value = split < 0 ? "" : option.substring(split + 1);
            switch (key) {
                case "seccomp" -> {
                    if (!value.equals(UNCONFINED) && !value.stripLeading().startsWith("{")) {
                        throw invalid(option, "seccomp takes unconfined or a profile (a JSON file)");
                    }
                    seccomp = value;
                }
                case "no-new-privileges" -> noNewPrivileges = switch (value) {
                    case "", "true" -> true;
                    case "false" -> false;
                    default -> throw invalid(option, "no-new-privileges takes true or false");
                };
                case "systempaths" -> {
                    if (!value.equals(UNCONFINED)) {
                        throw invalid(option, "systempaths takes only unconfined");
                    }
                    systemPaths = true;
                }
                case "apparmor", "label" -> {
                    if (value.isEmpty()) {
                        throw invalid(option, key + " needs a value");
                    }
                }
                default -> throw invalid(option, "expected seccomp=, no-new-privileges, systempaths=, apparmor= or label=");
            }
        }
        return new SecurityOptions(seccomp, noNewPrivileges, systemPaths);
    }

    private static BerthException invalid(String option, String why) {
        String shown = option.length() > 60 ? option.substring(0, 60) + "…" : option;
        return new BerthException("invalid --security-opt '" + Names.printable(shown) + "': " + why);
    }
}
