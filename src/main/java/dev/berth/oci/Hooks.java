package dev.berth.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OCI {@code hooks}: programs the runtime runs at points of a container's life, each given the
 * container's state JSON on its standard input. prestart, createRuntime and poststart run in berth-oci's
 * own namespaces; createContainer and startContainer in the container's (see {@link OciRuntime}).
 */
public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer,
                    List<Hook> startContainer, List<Hook> poststart, List<Hook> poststop) {

    /** One hook: an absolute path, its argv (argv[0] included), its environment, a timeout (seconds, or null). */
    public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
        public Hook {
            args = List.copyOf(args);
            env = List.copyOf(env);
        }
    }

    public Hooks {
        prestart = List.copyOf(prestart);
        createRuntime = List.copyOf(createRuntime);
        createContainer = List.copyOf(createContainer);
        startContainer = List.copyOf(startContainer);
        poststart = List.copyOf(poststart);
        poststop = List.copyOf(poststop);
    }

    static Hooks of(Map<String, Object> hooks) {
        if (hooks == null) {
            hooks = Map.of();
        }
        return new Hooks(hooks(hooks, "prestart"), hooks(hooks, "createRuntime"), hooks(hooks, "createContainer"),
                hooks(hooks, "startContainer"), hooks(hooks, "poststart"), hooks(hooks, "poststop"));
    }

    private static List<Hook> hooks(Map<String, Object> hooks, String name) {
        List<Hook> list = new ArrayList<>();
        for (Object o : BundleConfig.list(hooks.get(name))) {
            Map<String, Object> h = BundleConfig.map(o);
            String path = BundleConfig.string(h.get("path"));
            if (path == null || !path.startsWith("/")) {
                throw new OciException("hook " + name + ": path '" + path + "' is not absolute");
            }
            List<String> args = h.containsKey("args") ? BundleConfig.strings(h.get("args")) : List.of(path);
            Object timeout = h.get("timeout");
            if (timeout != null && ((Number) timeout).intValue() <= 0) {
                throw new OciException("hook " + name + ": timeout must be positive");
            }
            list.add(new Hook(path, args, BundleConfig.strings(h.get("env")),
                    timeout == null ? null : ((Number) timeout).intValue()));
        }
        return list;
    }

    /**
     * Runs hooks in order in this process's namespaces, the state on each one's stdin; the first that
     * fails (non-zero exit, not found, timed out) is an error naming it.
     */
    static void run(String phase, List<Hook> hooks, String stateJson) {
        for (Hook hook : hooks) {
            List<String> command = new ArrayList<>(hook.args());
            if (command.isEmpty()) {
                command.add(hook.path());
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.command().set(0, hook.path()); // the JDK executes argv[0]: it must be the hook's path
            builder.environment().clear();
            for (String e : hook.env()) {
                int eq = e.indexOf('=');
                if (eq > 0) {
                    builder.environment().put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new OciException(phase + " hook " + hook.path() + " could not start: " + e.getMessage());
            }
            try (OutputStream in = process.getOutputStream()) {
                in.write(stateJson.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // a hook need not read its state
            }
            try {
                long timeout = hook.timeout() == null ? 120 : hook.timeout();
                if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new OciException(phase + " hook " + hook.path() + " timed out after " + timeout + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new OciException(phase + " hook " + hook.path() + " was interrupted");
            }
            if (process.exitValue() != 0) {
                throw new OciException(phase + " hook " + hook.path() + " failed with exit status " + process.exitValue());
            }
        }
    }
}
