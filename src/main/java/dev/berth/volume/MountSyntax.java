package dev.berth.volume;

import dev.berth.BerthException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Docker's three ways of writing a mount, parsed with Docker's rules and errors:
 * {@code -v [SOURCE:]TARGET[:OPTIONS]}, {@code --mount type=…,source=…,target=…,readonly} and
 * {@code --tmpfs TARGET[:OPTIONS]}.
 */
public final class MountSyntax {
    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "slave", "rslave", "shared", "rshared");
    /** SELinux relabelling and macOS consistency modes: accepted and ignored, as Docker on Linux does. */
    private static final Set<String> IGNORED_MODES = Set.of("z", "Z", "consistent", "cached", "delegated");

    private MountSyntax() {}

    /** {@code -v}: an absolute source is a host path (created when missing), any other a volume name. */
    public static MountRequest volume(String spec) {
        String[] parts = spec.split(":", -1);
        String source = null;
        String target;
        String mode = "";
        switch (parts.length) {
            case 1 -> target = parts[0];
            case 2 -> {
                if (isMode(parts[1])) {
                    target = parts[0];
                    mode = parts[1];
                } else {
                    source = parts[0];
                    target = parts[1];
                }
            }
            case 3 -> {
                source = parts[0];
                target = parts[1];
                mode = parts[2];
            }
            default -> throw invalid(spec, "too many colons");
        }
        if (source != null && source.isEmpty()) {
            throw invalid(spec, "the source is empty");
        }
        checkTarget(spec, target);
        boolean bind = source != null && source.startsWith("/");
        if (source != null && !bind && !VolumeStore.isValidName(source)) {
            throw new BerthException("invalid volume specification '" + spec + "': \"" + source
                    + "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed;"
                    + " if you intended to pass a host directory, use an absolute path");
        }
        boolean readonly = false;
        boolean noCopy = false;
        String propagation = null;
        for (String option : mode.isEmpty() ? List.<String>of() : List.of(mode.split(","))) {
            switch (option) {
                case "ro" -> readonly = true;
                case "rw" -> readonly = false;
                case "nocopy" -> noCopy = true;
                default -> {
                    if (PROPAGATIONS.contains(option) && bind) {
                        propagation = option;
                    } else if (!IGNORED_MODES.contains(option)) {
                        throw invalid(spec, "invalid mode: " + option);
                    }
                }
            }
        }
        if (bind && noCopy) {
            throw invalid(spec, "nocopy applies to volumes only");
        }
        return new MountRequest(bind ? MountRequest.Type.BIND : MountRequest.Type.VOLUME, source, target, readonly,
                propagation, noCopy, List.of(), true);
    }

    /** {@code --mount}: comma-separated key=value fields; a bind's source must exist. */
    public static MountRequest mount(String spec) {
        String type = "volume";
        String source = null;
        String target = null;
        boolean readonly = false;
        boolean noCopy = false;
        String propagation = null;
        List<String> tmpfs = new ArrayList<>();
        for (String field : spec.split(",")) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> type = required(field, value);
                case "source", "src" -> source = required(field, value);
                case "target", "destination", "dst" -> target = required(field, value);
                case "readonly", "ro" -> readonly = bool(field, value);
                case "volume-nocopy" -> noCopy = bool(field, value);
                case "bind-propagation" -> {
                    propagation = required(field, value);
                    if (!PROPAGATIONS.contains(propagation)) {
                        throw new BerthException("invalid --mount '" + spec + "': invalid bind propagation '" + propagation + "'");
                    }
                }
                case "tmpfs-size" -> tmpfs.add("size=" + required(field, value));
                case "tmpfs-mode" -> tmpfs.add("mode=" + required(field, value));
                case "consistency", "bind-recursive", "volume-driver" -> { }
                default -> throw new BerthException("invalid --mount '" + spec + "': unexpected key '" + key + "'");
            }
        }
        if (target == null) {
            throw new BerthException("invalid --mount '" + spec + "': target is required");
        }
        checkTarget(spec, target);
        return switch (type) {
            case "bind" -> {
                if (source == null || !source.startsWith("/")) {
                    throw new BerthException("invalid mount config for type \"bind\": "
                            + (source == null ? "field Source must not be empty" : "source must be an absolute path: " + source));
                }
                yield new MountRequest(MountRequest.Type.BIND, source, target, readonly, propagation, false, List.of(), false);
            }
            case "volume" -> {
                if (source != null && !VolumeStore.isValidName(source)) {
                    throw new BerthException("invalid mount config for type \"volume\": invalid volume name '" + source + "'");
                }
                yield new MountRequest(MountRequest.Type.VOLUME, source, target, readonly, null, noCopy, List.of(), false);
            }
            case "tmpfs" -> {
                if (source != null) {
                    throw new BerthException("invalid mount config for type \"tmpfs\": field Source must be empty");
                }
                yield new MountRequest(MountRequest.Type.TMPFS, null, target, readonly, null, false, tmpfs, false);
            }
            default -> throw new BerthException("invalid --mount '" + spec + "': unknown type '" + type
                    + "' (bind, volume or tmpfs)");
        };
    }

    /** {@code --tmpfs}: a target and tmpfs's own mount options (size=64m,mode=1777,exec…). */
    public static MountRequest tmpfs(String spec) {
        int colon = spec.indexOf(':');
        String target = colon < 0 ? spec : spec.substring(0, colon);
        checkTarget(spec, target);
        List<String> options = colon < 0 || colon == spec.length() - 1 ? List.of() : List.of(spec.substring(colon + 1).split(","));
        return MountRequest.tmpfs(target, options);
    }

    private static boolean isMode(String text) {
        for (String option : text.split(",")) {
            if (!option.equals("ro") && !option.equals("rw") && !option.equals("nocopy")
                    && !PROPAGATIONS.contains(option) && !IGNORED_MODES.contains(option)) {
                return false;
            }
        }
        return true;
    }

    private static void checkTarget(String spec, String target) {
        if (!target.startsWith("/")) {
            throw new BerthException("invalid mount specification '" + spec + "': mount path '" + target
                    + "' must be absolute");
        }
        if (target.replaceAll("/+", "/").equals("/")) {
            throw new BerthException("invalid mount specification '" + spec + "': destination can't be '/'");
        }
    }

    private static String required(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new BerthException("invalid field '" + field + "' must be a key=value pair");
        }
        return value;
    }

    private static boolean bool(String field, String value) {
        if (value == null) {
            return true;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new BerthException("invalid value in '" + field + "': expected true or false");
        };
    }

    private static BerthException invalid(String spec, String why) {
        return new BerthException("invalid volume specification '" + spec + "': " + why);
    }
}
