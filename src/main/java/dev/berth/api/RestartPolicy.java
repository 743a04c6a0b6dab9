package dev.berth.api;

import dev.berth.BerthException;

/** Docker's restart policies: no, on-failure[:N], always, unless-stopped. */
public record RestartPolicy(String name, int maxRetries) {
    public static RestartPolicy parse(String text) {
        String value = text == null || text.isEmpty() ? "no" : text;
        if (value.startsWith("on-failure")) {
            if (value.equals("on-failure")) {
                return new RestartPolicy("on-failure", 0);
            }
            if (value.startsWith("on-failure:")) {
                try {
                    int n = Integer.parseInt(value.substring("on-failure:".length()));
                    if (n >= 0) {
                        return new RestartPolicy("on-failure", n);
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
        } else if (value.equals("no") || value.equals("always") || value.equals("unless-stopped")) {
            return new RestartPolicy(value, 0);
        }
        throw new BerthException("invalid --restart '" + text + "': use no, on-failure[:N], always or unless-stopped");
    }

    /**
     * Whether a container that ended with exitCode (null: unknown) after restarts restarts should start
     * again; a container stopped on purpose never does.
     */
    public boolean shouldRestart(Integer exitCode, int restarts, boolean stoppedOnPurpose) {
        if (stoppedOnPurpose) {
            return false;
        }
        return switch (name) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> (exitCode == null || exitCode != 0) && (maxRetries == 0 || restarts < maxRetries);
            default -> false;
        };
    }

    /** The delay before restart number n+1: 100 ms, doubling, at most 10 s. */
    public static long backoffMillis(int restarts) {
        return Math.min(10_000L, 100L << Math.min(restarts, 10));
    }

    public String text() {
        return name.equals("on-failure") && maxRetries > 0 ? "on-failure:" + maxRetries : name;
    }
}
