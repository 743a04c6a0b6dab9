package dev.berth.oci;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One part of runc's command line (the global flags, or one verb's), parsed as Go's flag package does,
 * which engines write to: {@code -name} and {@code --name} alike, a value as the next argument or after
 * {@code =}, a boolean as {@code --name} or {@code --name=true|false}, {@code --} ending the flags.
 * Flags may follow positional arguments unless {@code stopAtFirstPositional} (exec: everything after
 * the id is the command). Hand-written because this is on the path of every engine call: building
 * picocli's model cost ~90 ms of each.
 */
final class RuncArgs {
    /** A flag: its name, its one-letter alias (or null), and whether it takes a value. */
    record Flag(String name, String alias, boolean takesValue) {
        static Flag bool(String name) {
            return new Flag(name, null, false);
        }

        static Flag bool(String name, String alias) {
            return new Flag(name, alias, false);
        }

        static Flag value(String name) {
            return new Flag(name, null, true);
        }

        static Flag value(String name, String alias) {
            return new Flag(name, alias, true);
        }
    }

    private final Map<String, List<String>> values;
    private final List<String> positionals;

    private RuncArgs(Map<String, List<String>> values, List<String> positionals) {
        this.values = values;
        this.positionals = positionals;
    }

    /**
     * Parses {@code args}. With {@code stopAtFirstPositional}, parsing ends at the first positional
     * argument, which with everything after it is left in {@link #positionals()}.
     */
    static RuncArgs parse(List<String> args, List<Flag> flags, boolean stopAtFirstPositional) {
        Map<String, Flag> byName = new HashMap<>();
        for (Flag flag : flags) {
            byName.put(flag.name(), flag);
            if (flag.alias() != null) {
                byName.put(flag.alias(), flag);
            }
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                positionals.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                if (stopAtFirstPositional) {
                    positionals.addAll(args.subList(i, args.size()));
                    break;
                }
                positionals.add(arg);
                continue;
            }
            String body = arg.substring(arg.startsWith("--") ? 2 : 1);
            int equals = body.indexOf('=');
            String name = equals < 0 ? body : body.substring(0, equals);
            Flag flag = byName.get(name);
            if (flag == null) {
                throw new OciException("flag provided but not defined: " + arg);
            }
            String value;
            if (equals >= 0) {
                value = body.substring(equals + 1);
                if (!flag.takesValue() && !value.equals("true") && !value.equals("false")) {
                    throw new OciException("invalid boolean value \"" + value + "\" for flag --" + flag.name());
                }
            } else if (flag.takesValue()) {
                if (i + 1 >= args.size()) {
                    throw new OciException("flag needs an argument: --" + flag.name());
                }
                value = args.get(++i);
            } else {
                value = "true";
            }
            values.computeIfAbsent(flag.name(), k -> new ArrayList<>()).add(value);
        }
        return new RuncArgs(values, positionals);
    }

    /** The flag's last value, or null when it was not given. */
    String value(String name) {
        List<String> given = values.get(name);
        return given == null ? null : given.getLast();
    }

    String value(String name, String fallback) {
        String value = value(name);
        return value == null ? fallback : value;
    }

    /** Every value a repeatable flag was given, in order. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean isSet(String name) {
        return "true".equals(value(name));
    }

    /** A numeric flag, or null when not given. */
    Long number(String name) {
        String value = value(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new OciException("invalid value \"" + value + "\" for flag --" + name + ": not a number");
        }
    }

    List<String> positionals() {
        return positionals;
    }
}
