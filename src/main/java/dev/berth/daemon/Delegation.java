package dev.berth.daemon;

import dev.berth.state.BerthPaths;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client side of a delegated command line: when a supervisor runs for the same roots, {@code berth
 * run}, {@code berth exec} and the lifecycle verbs hand their whole command line to it (its JVM is warm:
 * picocli's model, the JSON mapper and the libc bindings are ready) and only relay signals and wait for
 * the exit status.
 * The supervisor opens the client's standard streams through /proc, so the container uses them
 * directly; a regular file's offset comes back and is set here. When no supervisor answers, or it
 * declines (a terminal, other roots, a socket for a stream), the command runs in this JVM as before.
 *
 * <p>This class is on every command's start-up path: it uses only java.base, and no FFM.
 */
public final class Delegation {
    /**
     * Verbs a supervisor can run for a client (./berth picks the client's AOT cache for the same list).
     * Those that start a process relay the signals the client gets; for the others a signal ends the
     * client as usual (what the supervisor was doing for it, stopping a container say, goes on).
     */
    private static final Set<String> VERBS = Set.of("run", "exec", "ps", "inspect", "port", "top", "rm", "stop",
            "start", "restart", "kill", "rename", "wait");
    private static final Set<String> RELAYING = Set.of("run", "exec");
    /**
     * Signals berth passes on to the container's process (name → number on x86_64), from its own JVM or
     * relayed by a client to the supervisor; WINCH resizes the container's terminal instead.
     */
    public static final Map<String, Integer> FORWARDED_SIGNALS =
            Map.of("INT", 2, "TERM", 15, "HUP", 1, "USR1", 10, "WINCH", 28);

    /** The global options and the verb of a command line (picocli parses it all again later). */
    public record GlobalOptions(String root, String runRoot, String verb) {
        /** --root/--run-root (with their values, as one word or two) up to the first other word. */
        public static GlobalOptions of(String[] args) {
            String root = System.getenv().getOrDefault("BERTH_ROOT", BerthPaths.DEFAULT_ROOT);
            String runRoot = System.getenv().getOrDefault("BERTH_RUN_ROOT", BerthPaths.DEFAULT_RUN_ROOT);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--root") || a.equals("--run-root")) {
                    String value = i + 1 < args.length ? args[++i] : null;
                    if (value != null && a.equals("--root")) {
                        root = value;
                    } else if (value != null) {
                        runRoot = value;
                    }
                } else if (a.startsWith("--root=")) {
                    root = a.substring("--root=".length());
                } else if (a.startsWith("--run-root=")) {
                    runRoot = a.substring("--run-root=".length());
                } else if (!a.startsWith("-")) {
                    return new GlobalOptions(root, runRoot, a);
                }
            }
            return new GlobalOptions(root, runRoot, null);
        }
    }

    private Delegation() {}

    /** The command's exit status when a supervisor ran it; -1 when this JVM has to. */
    public static int tryDelegate(String[] args) {
        if (System.getenv("BERTH_NO_DELEGATION") != null) {
            return -1;
        }
        GlobalOptions options = GlobalOptions.of(args);
        String verb = options.verb();
        if (verb == null || !VERBS.contains(verb)) {
            return -1;
        }
        for (String a : args) {
            if (a.startsWith("@")) {
                return -1; // picocli reads @FILE arguments from the working directory of its own JVM
            }
        }
        BerthPaths paths = new BerthPaths(Path.of(options.root()), Path.of(options.runRoot()));
        if (!Files.exists(paths.supervisorSocket())) {
            return -1;
        }
        try {
            return delegate(paths, args, RELAYING.contains(verb));
        } catch (IOException e) {
            return -1; // no supervisor after all (a stale socket), or it went away before starting anything
        }
    }

    private static int delegate(BerthPaths paths, String[] args, boolean relaySignals) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(paths.supervisorSocket()));
            if (relaySignals) {
                FORWARDED_SIGNALS.forEach((name, number) -> relay(channel, name, number));
            }
            send(channel, request(paths, args));
            String answer;
            try {
                answer = readLine(channel);
            } catch (IOException e) {
                answer = null;
            }
            if ("local".equals(answer)) {
                if (relaySignals) {
                    FORWARDED_SIGNALS.keySet().forEach(Delegation::restoreDefault);
                }
                return -1; // declined before doing anything
            }
            if (answer != null && answer.startsWith("error ")) {
                System.err.println("berth: " + answer.substring("error ".length()));
                return 125;
            }
            if (answer == null || !answer.startsWith("exit ")) {
                // it may have started a container already: running the command line again here could
                // run it twice
                System.err.println("berth: the supervisor went away while running the command (see "
                        + paths.supervisorLog() + ")");
                return 125;
            }
            String[] words = answer.split(" ");
            for (int i = 2; i + 1 < words.length; i += 2) {
                if (words[i].equals("seek")) {
                    String[] fdAndOffset = words[i + 1].split(":");
                    seek(Integer.parseInt(fdAndOffset[0]), Long.parseLong(fdAndOffset[1]));
                }
            }
            return Integer.parseInt(words[1]);
        }
    }

    /**
     * Moves this process's stream fd (a regular file) to offset: the supervisor wrote or read it
     * through a file offset of its own, and whatever uses the file after berth continues from there.
     */
    private static void seek(int fd, long offset) {
        try {
            switch (fd) {
                case 0 -> new FileInputStream(FileDescriptor.in).getChannel().position(offset);
                case 1 -> new FileOutputStream(FileDescriptor.out).getChannel().position(offset);
                case 2 -> new FileOutputStream(FileDescriptor.err).getChannel().position(offset);
                default -> { }
            }
        } catch (IOException e) {
            // not seekable after all
        }
    }

    @SuppressWarnings("sunapi")
    private static void relay(SocketChannel channel, String name, int number) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
            try {
                send(channel, "signal " + number + "\n");
            } catch (IOException gone) {
                // the supervisor has answered already
            }
        });
    }

    @SuppressWarnings("sunapi")
    private static void restoreDefault(String name) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sun.misc.SignalHandler.SIG_DFL);
    }

    /** One JSON line: {"op":"invoke","argv":[…],"env":{…},"cwd":…,"pid":…,"root":…,"runRoot":…}. */
    static String request(BerthPaths paths, String[] args) {
        StringBuilder json = new StringBuilder("{\"op\":\"invoke\",\"argv\":[");
        for (int i = 0; i < args.length; i++) {
            json.append(i > 0 ? "," : "").append(quote(args[i]));
        }
        json.append("],\"env\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        json.append("},\"cwd\":").append(quote(Path.of("").toAbsolutePath().toString()))
                .append(",\"pid\":").append(ProcessHandle.current().pid())
                .append(",\"root\":").append(quote(paths.root().toString()))
                .append(",\"runRoot\":").append(quote(paths.runRoot().toString())).append("}\n");
        return json.toString();
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    private static synchronized void send(SocketChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (one.get(0) == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(one.get(0));
        }
    }

    private static boolean sameMountNamespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
        } catch (IOException e) {
            return false;
        }
    }

    /** The supervisor's side: the request as an invocation (streams opened), or declined. */
    static Invocation accept(Request request, BerthPaths own, java.util.function.Function<Request, Response> supervisor) {
        if (!own.equals(new BerthPaths(Path.of(request.root()), Path.of(request.runRoot())))) {
            throw new Invocation.Declined("other roots");
        }
        if (!sameMountNamespace(request.pid())) {
            throw new Invocation.Declined("another mount namespace"); // its paths are not ours
        }
        for (String name : List.of("BERTH_CGROUP_PARENT", "BERTH_TRACE", "BERTH_DEBUG")) {
            if (!java.util.Objects.equals(System.getenv(name), request.env().get(name))) {
                throw new Invocation.Declined(name + " differs");
            }
        }
        return new Invocation(request.argv(), request.env(), Path.of(request.cwd()), request.pid(), own, supervisor);
    }
}
