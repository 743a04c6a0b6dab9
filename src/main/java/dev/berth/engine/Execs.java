package dev.berth.engine;

import dev.berth.api.Berth;
import dev.berth.linux.Libc;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.state.ContainerRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Docker's exec instances: created with a command ({@code POST /containers/{id}/exec}), started once
 * ({@code POST /exec/{id}/start}, the connection taken over for its streams unless detached), inspected
 * for their exit code. Without a TTY stdout and stderr travel as multiplexed frames; with one, raw.
 */
final class Execs {
    /** What {@code POST /containers/{id}/exec} asked for. */
    record Config(String containerId, List<String> cmd, List<String> env, String workdir, String user, boolean tty,
                  boolean attachStdin) {}

    private static final class Session {
        final String id;
        final Config config;
        volatile boolean started;
        volatile boolean running;
        volatile Integer exitCode;
        volatile int pid;
        volatile ContainerProcess process;

        Session(String id, Config config) {
            this.id = id;
            this.config = config;
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private final Berth berth;
    private final EngineEvents events;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    Execs(Berth berth, EngineEvents events) {
        this.berth = berth;
        this.events = events;
    }

    String create(ContainerRecord container, Map<String, Object> body) {
        if (container.status() != ContainerRecord.Status.RUNNING) {
            throw new EngineApi.ApiError(409, "Container " + container.id() + " is not running");
        }
        List<String> cmd = EngineApi.strings(body.get("Cmd"));
        if (cmd == null || cmd.isEmpty()) {
            throw new EngineApi.ApiError(400, "No exec command specified");
        }
        if (Boolean.TRUE.equals(body.get("Privileged"))) {
            throw new EngineApi.ApiError(400, "berth: privileged exec is not supported yet");
        }
        List<String> env = EngineApi.strings(body.get("Env"));
        Config config = new Config(container.id(), cmd, env == null ? List.of() : env, text(body.get("WorkingDir")),
                text(body.get("User")), Boolean.TRUE.equals(body.get("Tty")), Boolean.TRUE.equals(body.get("AttachStdin")));
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String id = java.util.HexFormat.of().formatHex(random);
        sessions.put(id, new Session(id, config));
        events.publish("container", "exec_create: " + String.join(" ", cmd), container.id(),
                EngineApi.containerAttributes(container, Map.of("execID", id)));
        return id;
    }

    /** {@code GET /exec/{id}/json}. */
    Map<String, Object> inspect(String id) {
        Session s = session(id);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("ID", s.id);
        view.put("Running", s.running);
        view.put("ExitCode", s.exitCode);
        view.put("ProcessConfig", Map.of("tty", s.config.tty(), "entrypoint", s.config.cmd().getFirst(),
                "arguments", s.config.cmd().subList(1, s.config.cmd().size()), "privileged", false,
                "user", s.config.user() == null ? "" : s.config.user()));
        view.put("OpenStdin", s.config.attachStdin());
        view.put("OpenStdout", true);
        view.put("OpenStderr", true);
        view.put("ContainerID", s.config.containerId());
        view.put("Pid", s.pid);
        view.put("CanRemove", false);
        view.put("DetachKeys", "");
        return view;
    }

    /** {@code POST /exec/{id}/start}: runs the command; unless detached, its streams are the connection's. */
    void start(HttpExchange x, String id, Map<String, Object> body) throws IOException {
        Session s = session(id);
        synchronized (s) {
            if (s.started) {
                throw new EngineApi.ApiError(409, "exec " + id + " has already been started");
            }
            s.started = true;
        }
        Config c = s.config;
        if (Boolean.TRUE.equals(body.get("Detach"))) {
            int devNull = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
            ContainerProcess process;
            try {
                process = launch(s, new ContainerStarter.Stdio(ContainerStarter.Stdin.NULL, -1, devNull, devNull));
            } finally {
                Libc.closeQuietly(devNull);
            }
            Thread.ofPlatform().daemon().name("berth-exec-" + id.substring(0, 12)).start(() -> awaitEnd(s, process));
            x.respond(200, null, new byte[0], Map.of());
            return;
        }
        int[] out = Libc.pipe();
        int[] err = c.tty() ? null : Libc.pipe();
        int[] in = c.attachStdin() || c.tty() ? Libc.pipe() : null;
        ContainerProcess process;
        try {
            ContainerStarter.Stdio stdio = c.tty()
                    ? new ContainerStarter.Stdio(ContainerStarter.Stdin.INHERIT, -1, -1, -1)
                    : new ContainerStarter.Stdio(in == null ? ContainerStarter.Stdin.NULL : ContainerStarter.Stdin.INHERIT,
                    in == null ? -1 : in[0], out[1], err[1]);
            process = launch(s, stdio);
            if (process.terminal() != null) {
                process.terminal().attachOwningInput(in[0], out[1]); // closes in[0] when the client's input ends
            }
        } catch (RuntimeException e) {
            closeAll(out, err, in);
            throw e;
        } finally {
            if (!c.tty()) {
                Libc.closeQuietly(out[1]);
                Libc.closeQuietly(err[1]);
                if (in != null) {
                    Libc.closeQuietly(in[0]);
                }
            }
        }
        x.finishReading();
        OutputStream socket = x.hijack(c.tty() ? EngineApi.RAW : EngineApi.MULTIPLEXED);
        int stdinWrite = in == null ? -1 : in[1];
        if (in != null) {
            Thread.ofPlatform().daemon().name("berth-exec-in").start(() -> copyIn(x.rawInput(), stdinWrite));
        }
        Thread stderr = err == null ? null
                : Thread.ofPlatform().daemon().name("berth-exec-err").start(() -> copyOut(err[0], socket, 2, false));
        Thread stdout = Thread.ofPlatform().daemon().name("berth-exec-out").start(() -> copyOut(out[0], socket, 1, c.tty()));
        try {
            int code = process.waitFor();
            if (c.tty()) {
                process.terminal().drain(2_000); // the terminal's copy is done with out[1]
                Libc.closeQuietly(out[1]);
            }
            join(stdout);
            join(stderr);
            s.exitCode = code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ended(s);
            process.close();
            Libc.closeQuietly(out[0]);
            if (err != null) {
                Libc.closeQuietly(err[0]);
            }
            socket.flush();
        }
    }

    private ContainerProcess launch(Session s, ContainerStarter.Stdio stdio) {
        Config c = s.config;
        ContainerProcess process = berth.exec(c.containerId(), c.cmd(), c.env(), c.workdir(), c.user(), c.tty(), stdio);
        s.pid = process.pid();
        s.process = process;
        s.running = true;
        event(s, "exec_start: " + String.join(" ", c.cmd()), Map.of());
        return process;
    }

    private void awaitEnd(Session s, ContainerProcess process) {
        try (process) {
            s.exitCode = process.waitFor();
        } finally {
            ended(s);
        }
    }

    private void ended(Session s) {
        s.running = false;
        event(s, "exec_die", Map.of("exitCode", String.valueOf(s.exitCode == null ? -1 : s.exitCode)));
    }

    private void event(Session s, String action, Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>(extra);
        attributes.put("execID", s.id);
        try {
            events.publish("container", action, s.config.containerId(),
                    EngineApi.containerAttributes(berth.inspect(s.config.containerId()), attributes));
        } catch (RuntimeException gone) {
            // the container went meanwhile
        }
    }

    private static void join(Thread thread) throws InterruptedException {
        if (thread != null) {
            thread.join(10_000);
        }
    }

    /** What the client sends goes to the process's stdin; the client's half-close ends it. */
    private static void copyIn(InputStream from, int to) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(8192);
            byte[] bytes = new byte[8192];
            for (int n; (n = from.read(bytes)) > 0; ) {
                MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
                Libc.writeFully(to, buffer, n);
            }
        } catch (IOException | RuntimeException e) {
            // the client or the process went away
        } finally {
            Libc.closeQuietly(to);
        }
    }

    /** A pipe's content as frames of stream (1 stdout, 2 stderr), or raw with a TTY; until end of file. */
    private static void copyOut(int from, OutputStream to, int stream, boolean raw) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(32 * 1024);
            for (int n; (n = Libc.read(from, buffer, buffer.byteSize())) > 0; ) {
                byte[] bytes = buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                if (raw) {
                    synchronized (to) {
                        to.write(bytes);
                        to.flush();
                    }
                } else {
                    Multiplexed.frame(to, stream, bytes);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or the terminal ended (EIO)
        }
    }

    /** Sets the window size of a running exec's terminal. */
    void resize(String id, int rows, int columns) {
        Session s = session(id);
        ContainerProcess process = s.process;
        if (!s.config.tty() || process == null || process.terminal() == null) {
            throw new EngineApi.ApiError(500, "exec " + id + " has no TTY");
        }
        if (s.running) {
            process.terminal().resize(rows, columns);
        }
    }

    private Session session(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            throw new EngineApi.ApiError(404, "No such exec instance: " + id);
        }
        return s;
    }

    /** Forgets the exec instances of a removed container. */
    void forget(String containerId) {
        sessions.values().removeIf(s -> s.config.containerId().equals(containerId) && !s.running);
    }

    private static void closeAll(int[]... pipes) {
        for (int[] pipe : pipes) {
            if (pipe != null) {
                Libc.closeQuietly(pipe[0]);
                Libc.closeQuietly(pipe[1]);
            }
        }
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isEmpty() ? s : null;
    }
}
