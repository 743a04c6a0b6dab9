package dev.berth.daemon;

import dev.berth.BerthException;
import dev.berth.Trace;
import dev.berth.api.Berth;
import dev.berth.api.Container;
import dev.berth.linux.Libc;
import dev.berth.dns.EmbeddedDns;
import dev.berth.engine.EngineBackend;
import dev.berth.engine.EngineServer;
import dev.berth.linux.Procfs;
import dev.berth.network.NetworkRecord;
import dev.berth.network.Networks;
import dev.berth.network.ResolvConf;
import dev.berth.network.Subnet;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.state.BerthPaths;
import dev.berth.state.Attachment;
import dev.berth.state.ContainerLog;
import dev.berth.state.ContainerRecord;
import dev.berth.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * {@code berth daemon}: the parent of detached containers. It starts them with their output going
 * straight to a log file (so they outlive the supervisor: a kill -9 of it leaves them running), reaps
 * them and records their exit status, applies restart policies with back-off, and keeps logs bounded.
 * Reachable only by root, through a Unix socket under the run root. A new supervisor re-adopts the
 * containers a dead one left running (without their exit status: only a parent can read it).
 */
public final class Supervisor {
    private final BerthPaths paths;
    private final Berth berth;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private final Map<String, LogPump> pumps = new ConcurrentHashMap<>();
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    private final Map<String, EmbeddedDns> nameServers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("berth-timers").factory());
    private volatile boolean running = true;
    private volatile ClientDoor door;

    /** A container being watched: its pid and pidfd, and whether it is our child (then its status is ours). */
    private record Watched(String id, int pid, int pidfd, ContainerProcess process) {}

    /** A container's stdin: the write end the supervisor keeps (-1 once closed). */
    private record StdinPipe(int write) {
        void close() {
            Libc.closeQuietly(write);
        }
    }

    private final Map<String, StdinPipe> stdins = new ConcurrentHashMap<>();

    private final ToIntFunction<Invocation> commandLine;
    private final ContainerEvents events = new ContainerEvents();
    private final Activity activity = new Activity();
    private final long idleExitNanos;

    /** commandLine runs a berth command line delegated by a client, returning its exit status. */
    public Supervisor(BerthPaths paths, ToIntFunction<Invocation> commandLine) {
        this(paths, commandLine, 0);
    }

    /**
     * @param idleExitSeconds when positive, the supervisor exits once it has been idle that long: no
     *                        container of its root running, no client or Engine API connection, no
     *                        restart waiting (a supervisor started for a foreground run; 0: never)
     */
    public Supervisor(BerthPaths paths, ToIntFunction<Invocation> commandLine, long idleExitSeconds) {
        this.paths = paths;
        this.berth = new Berth(paths);
        this.commandLine = commandLine;
        this.idleExitNanos = TimeUnit.SECONDS.toNanos(Math.max(0, idleExitSeconds));
    }

    /** Runs until a shutdown request; refuses to start when another supervisor holds the run root. */
    public void run() throws IOException {
        Files.createDirectories(paths.runRoot());
        Path lockFile = paths.lock("supervisor");
        Files.createDirectories(lockFile.getParent());
        try (var channel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            var lock = channel.tryLock();
            if (lock == null) {
                throw new BerthException("a supervisor is already running for " + paths.runRoot());
            }
            serve();
        }
    }

    private void serve() throws IOException {
        adopt();
        for (String removed : berth.gc()) { // what a crash left behind, as berth gc would
            System.err.println("berth daemon: removed " + removed);
        }
        Path socket = paths.supervisorSocket();
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             EngineServer engine = EngineServer.start(paths.engineSocket(), engineBackend(), activity::begin);
             ClientDoor clients = ClientDoor.open(paths.clientDoor(), this::invoke)) {
            door = clients;
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            Thread.ofPlatform().name("berth-reaper").daemon().start(this::reap);
            timers.scheduleWithFixedDelay(this::refreshNameServers, 0, 500, TimeUnit.MILLISECONDS);
            if (idleExitNanos > 0) {
                timers.scheduleWithFixedDelay(this::exitWhenIdle, 1, 1, TimeUnit.SECONDS);
            }
            while (true) { // until exitSoon's timer ends the process (the loop's end would stop that timer)
                SocketChannel client = server.accept();
                if (!running) {
                    client.close(); // exiting: the client starts the next supervisor
                    continue;
                }
                // platform threads: a delegated run blocks in native calls (waitid) for as long as its container runs
                Thread.ofPlatform().name("berth-client").daemon().start(() -> answer(client));
            }
        } finally {
            Files.deleteIfExists(socket);
            timers.shutdownNow();
        }
    }

    private void answer(SocketChannel client) {
        try (client; AutoCloseable work = activity.begin()) {
            var in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(client);
            Response response;
            try {
                response = respond(Json.parse(in.readLine(), Request.class));
            } catch (RuntimeException e) {
                response = Response.failure(String.valueOf(e.getMessage()), BerthException.RUNTIME_ERROR);
            }
            out.write((Json.render(response).replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (Exception e) {
            // the client went away
        }
    }

    /**
     * Runs a client's command line (from the {@link ClientDoor}) with the client's streams: "exit N"
     * when done, "local" when the client has to run it itself (nothing was done), or "error MESSAGE"
     * when it failed outside the command (the command's own errors went to the client's stderr).
     */
    private String invoke(List<String> argv, int pid, int pidfd, Consumer<IntConsumer> signals) {
        Trace.mark("delegated: " + String.join(" ", argv));
        String answer;
        try (AutoCloseable work = activity.begin()) {
            if (!running) {
                return "local";
            }
            try (Invocation invocation = Delegation.accept(argv, pid, pidfd, signals, paths, this::respond)) {
                int exitCode = commandLine.applyAsInt(invocation);
                invocation.out().flush();
                invocation.err().flush();
                answer = "exit " + exitCode;
            }
        } catch (Invocation.Declined e) {
            answer = "local";
        } catch (Exception e) {
            answer = "error " + (e.getMessage() == null ? e : e.getMessage());
        }
        Trace.mark("delegated: answered " + answer);
        return answer;
    }

    /** The answer to a request, its failure included. */
    private Response respond(Request request) {
        try {
            return handle(request);
        } catch (BerthException e) {
            return Response.failure(e.getMessage(), e.exitCode());
        } catch (RuntimeException e) {
            return Response.failure(String.valueOf(e.getMessage()), BerthException.RUNTIME_ERROR);
        }
    }

    private Response handle(Request request) {
        return switch (request.op()) {
            case "ping" -> {
                refreshNameServers();
                yield Response.success(String.valueOf(ProcessHandle.current().pid()));
            }
            case "run" -> Response.success(start(berth.create(request.run())));
            case "start" -> {
                ContainerRecord r = berth.inspect(request.container());
                stopping.remove(r.id());
                yield Response.success(start(berth.prepareRestart(request.container(), true)));
            }
            case "stop" -> {
                ContainerRecord r = berth.inspect(request.container());
                stopping.add(r.id());
                berth.stop(r.id(), request.timeout() == null ? 10 : request.timeout());
                awaitRecorded(r.id());
                yield Response.success(r.id());
            }
            case "shutdown" -> {
                exitSoon();
                yield Response.success("");
            }
            default -> throw new BerthException("unknown request " + request.op());
        };
    }

    /** Stops taking clients and exits in a moment (after the answer of the request that asked). */
    private void exitSoon() {
        running = false;
        ClientDoor clients = door;
        if (clients != null) {
            clients.closeToNewClients(); // a client that found it a moment before is still answered: "local"
        }
        timers.schedule(() -> {
            try {
                Files.deleteIfExists(paths.supervisorSocket());
                Files.deleteIfExists(paths.engineSocket());
            } catch (IOException ignored) {
                // exiting anyway
            }
            System.exit(0);
        }, 300, TimeUnit.MILLISECONDS);
    }

    /** Exits once idle for idleExitNanos: nothing in progress, nothing watched, no container of the root running. */
    private void exitWhenIdle() {
        try {
            if (running && watched.isEmpty() && activity.idleFor(idleExitNanos)
                    && berth.snapshot().stream().noneMatch(r -> r.status() == ContainerRecord.Status.RUNNING
                            && ProcessHandle.of(r.pid()).isPresent())) {
                System.err.println("berth daemon: idle for " + TimeUnit.NANOSECONDS.toSeconds(idleExitNanos) + " s: exiting");
                Files.deleteIfExists(paths.supervisorSocket()); // no new client from here on
                exitSoon();
            }
        } catch (IOException | RuntimeException e) {
            // checked again in a second
        }
    }

    /**
     * One DNS server per user-defined network, on its gateway address: container names and aliases,
     * everything else forwarded to the host's resolvers. Servers follow networks as they come and go.
     */
    private synchronized void refreshNameServers() {
        try {
            Set<String> wanted = new java.util.HashSet<>();
            for (NetworkRecord network : berth.listNetworks()) {
                if (!Networks.hasNameService(network)) {
                    continue;
                }
                wanted.add(network.name());
                if (!nameServers.containsKey(network.name())) {
                    try {
                        nameServers.put(network.name(), EmbeddedDns.start(Subnet.parseAddress(network.gateway()),
                                directory(network.name()), ignored -> upstreams()));
                    } catch (IOException notYet) {
                        // the bridge does not carry the gateway address yet: next round
                    }
                }
            }
            nameServers.entrySet().removeIf(e -> {
                if (!wanted.contains(e.getKey())) {
                    e.getValue().close();
                    return true;
                }
                return false;
            });
        } catch (RuntimeException e) {
            System.err.println("berth daemon: DNS: " + e.getMessage());
        }
    }

    /**
     * The names a network's DNS server answers: the containers on that network, and for a client on
     * several networks, the containers on each of them too (its own network first), as Docker's does.
     */
    private EmbeddedDns.Directory directory(String network) {
        return new EmbeddedDns.Directory() {
            @Override
            public List<InetAddress> lookup(String name, InetAddress client) {
                List<ContainerRecord> running = running();
                List<String> searched = new ArrayList<>(List.of(network));
                running.stream().filter(r -> client != null && addressOn(r, network).equals(client.getHostAddress()))
                        .flatMap(r -> r.attachments().stream()).map(Attachment::network)
                        .filter(n -> !searched.contains(n)).forEach(searched::add);
                List<InetAddress> found = new ArrayList<>();
                for (String on : searched) {
                    for (ContainerRecord r : running) {
                        String address = addressOn(r, on);
                        if (!address.isEmpty() && (r.name().equalsIgnoreCase(name) || r.aliases().contains(name))) {
                            found.add(Subnet.parseAddress(address));
                        }
                    }
                    if (!found.isEmpty()) {
                        return found;
                    }
                }
                return found;
            }

            @Override
            public String nameOf(InetAddress address) {
                return running().stream().filter(r -> addressOn(r, network).equals(address.getHostAddress()))
                        .map(ContainerRecord::name).findFirst().orElse(null);
            }
        };
    }

    /** The container's address on a network, "" when it is not on it. */
    private static String addressOn(ContainerRecord r, String network) {
        return r.attachments().stream().filter(a -> a.network().equals(network)).map(Attachment::ipAddress)
                .findFirst().orElse("");
    }

    private List<ContainerRecord> running() {
        return berth.snapshot().stream().filter(r -> r.status() == ContainerRecord.Status.RUNNING).toList();
    }

    /** The host's resolvers, as a container would get them (loopback stubs replaced). */
    private static List<InetAddress> upstreams() {
        String conf = ResolvConf.forContainer(ResolvConf.read(ResolvConf.HOST), ResolvConf.read(ResolvConf.SYSTEMD_UPSTREAMS),
                false, List.of(), List.of(), List.of());
        List<InetAddress> servers = new ArrayList<>();
        for (String line : conf.lines().toList()) {
            if (line.startsWith("nameserver ")) {
                try {
                    servers.add(Subnet.parseAddress(line.substring("nameserver ".length()).strip()));
                } catch (BerthException ipv6OrWorse) {
                    // IPv4 upstreams only
                }
            }
        }
        return servers;
    }

    /** Starts a created container writing into its output FIFOs (stdout's, stderr's), and watches it. */
    private String start(Container container) {
        return start(container, false);
    }

    /**
     * As start, with a terminal when the container asks for one (its output goes through the output
     * FIFO) and a pipe for its stdin when openStdin (the Engine API's attach writes into it). A terminal
     * always reads from a pipe, so that its input copy ends when the container does.
     */
    private String start(Container container, boolean openStdin) {
        String id = container.record().id();
        if (container.record().attachments().stream().anyMatch(a -> !Networks.isBuiltIn(a.network()))) {
            refreshNameServers(); // a network made a moment ago has its DNS server before its first container
        }
        boolean tty = container.spec().process().terminal();
        int out = openFifo(paths.containerOutput(id));
        int err = -1;
        int[] in = null;
        ContainerProcess process;
        try {
            err = tty ? -1 : openFifo(paths.containerErrors(id));
            in = tty || openStdin ? Libc.pipe() : null;
            process = berth.start(container, new ContainerStarter.Stdio(
                    in != null && !tty ? ContainerStarter.Stdin.INHERIT : ContainerStarter.Stdin.NULL,
                    in == null ? -1 : in[0], out, tty ? out : err));
            if (process.terminal() != null) {
                process.terminal().attachOwningInput(in[0], out); // its copy closes in[0] at the end
            }
        } catch (RuntimeException e) {
            Libc.closeQuietly(out);
            Libc.closeQuietly(err);
            if (in != null) {
                Libc.closeQuietly(in[0]);
                Libc.closeQuietly(in[1]);
            }
            throw e;
        }
        if (in != null) {
            if (!tty) {
                Libc.closeQuietly(in[0]); // the container has it
            }
            StdinPipe previousStdin = stdins.put(id, new StdinPipe(in[1]));
            if (previousStdin != null) {
                previousStdin.close();
            }
        }
        LogPump previous = pumps.put(id, new LogPump(out, err, paths.containerLog(id), (stream, bytes) -> events.output(id, stream, bytes)));
        if (previous != null) {
            previous.close();
        }
        watched.put(id, new Watched(id, process.pid(), -1, process));
        return id;
    }

    /**
     * A detached container's FIFO, made when missing and opened read-write: the container's description
     * of it is then a reader too, so its writes never meet a closed pipe, whatever happens to this
     * supervisor.
     */
    private static int openFifo(Path fifo) {
        if (!Files.exists(fifo)) {
            Libc.mkfifo(fifo.toString(), 0600);
        }
        return Libc.open(fifo.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
    }

    /** A FIFO a previous supervisor made, opened to read on (-1 when there is none: an older container). */
    private static int reopenFifo(Path fifo) {
        return Files.exists(fifo) ? Libc.open(fifo.toString(), Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0) : -1;
    }

    /** Containers a previous supervisor started and that still run: watched through a pidfd. */
    private void adopt() {
        for (ContainerRecord r : Supervision.toAdopt(berth.containers(), Procfs::isAlive)) {
            watched.put(r.id(), new Watched(r.id(), r.pid(), Libc.pidfdOpen(r.pid()), null));
            int out = reopenFifo(paths.containerOutput(r.id()));
            if (out >= 0) {
                String id = r.id();
                pumps.put(id, new LogPump(out, reopenFifo(paths.containerErrors(id)), paths.containerLog(id),
                        (stream, bytes) -> events.output(id, stream, bytes)));
            }
        }
    }

    /** Waits for watched containers to end: our children through waitid, adopted ones through their pidfd. */
    private void reap() {
        while (running) {
            List<LogPump> open = new ArrayList<>();
            List<Integer> fdList = new ArrayList<>();
            for (LogPump pump : pumps.values()) {
                for (int fd : pump.fds()) {
                    open.add(pump);
                    fdList.add(fd);
                }
            }
            int[] fds = fdList.stream().mapToInt(Integer::intValue).toArray();
            boolean[] readable = Libc.pollReadable(fds, 50);
            for (int i = 0; i < fds.length; i++) {
                if (readable[i]) {
                    open.get(i).pump(fds[i]);
                }
            }
            for (Watched w : watched.values()) {
                Integer exitCode;
                boolean ended;
                if (w.process() != null) {
                    Integer code = w.process().pollExit();
                    ended = code != null;
                    exitCode = code;
                } else {
                    ended = (Libc.poll(w.pidfd(), Libc.POLLIN, 0) & Libc.POLLIN) != 0;
                    exitCode = null; // not our child: its status went to init
                }
                if (ended) {
                    ended(w, exitCode);
                }
            }
        }
    }

    /** Moves what is left in a container's FIFO into its log. */
    private void drain(String id) {
        LogPump pump = pumps.get(id);
        if (pump == null) {
            return;
        }
        for (int fd : pump.fds()) {
            for (int i = 0; i < 10_000 && Libc.pollReadable(new int[] {fd}, 0)[0]; i++) {
                pump.pump(fd);
            }
        }
        pump.flush();
    }

    private void ended(Watched w, Integer exitCode) {
        if (w.process() != null && w.process().terminal() != null) {
            try {
                w.process().terminal().drain(2_000); // its last output into the FIFO, before the FIFO is drained
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drain(w.id());
        events.outputEnded(w.id());
        ContainerRecord record = null;
        try {
            record = berth.inspect(w.id());
            berth.finished(record, exitCode); // recorded while the process is still a zombie
        } catch (BerthException gone) {
            // removed meanwhile
        } finally {
            events.exited(w.id(), record, exitCode);
            StdinPipe stdin = stdins.remove(w.id());
            if (stdin != null) {
                stdin.close();
            }
            if (w.process() != null) {
                w.process().close(); // reaped only now
            } else {
                Libc.closeQuietly(w.pidfd());
            }
            watched.remove(w.id()); // only now: a stop waits for this, and then finds the record exited
        }
        if (record == null) {
            return;
        }
        java.util.OptionalLong delay = Supervision.restartDelay(record, exitCode, stopping.remove(w.id()));
        if (delay.isPresent()) {
            AutoCloseable waiting = activity.begin();
            timers.schedule(() -> {
                try (waiting) {
                    restart(w.id());
                } catch (Exception ignored) {
                    // restart reports its own failures
                }
            }, delay.getAsLong(), TimeUnit.MILLISECONDS);
        } else {
            LogPump pump = pumps.remove(w.id());
            if (pump != null) {
                pump.close();
            }
        }
    }

    private void restart(String id) {
        try {
            if (stopping.contains(id)) {
                return;
            }
            start(berth.prepareRestartByPolicy(id));
        } catch (RuntimeException e) {
            System.err.println("berth daemon: cannot restart " + id + ": " + e.getMessage());
        }
    }

    /** The Engine API's view of this supervisor. */
    private EngineBackend engineBackend() {
        return new EngineBackend() {
            @Override
            public Berth berth() {
                return berth;
            }

            @Override
            public String start(Container created, boolean openStdin) {
                return Supervisor.this.start(created, openStdin);
            }

            @Override
            public void writeStdin(String id, byte[] bytes, int length) {
                StdinPipe stdin = stdins.get(id);
                if (stdin == null) {
                    throw new BerthException("container " + id + " has no open stdin");
                }
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                    java.lang.foreign.MemorySegment buffer = arena.allocate(Math.max(1, length));
                    java.lang.foreign.MemorySegment.copy(bytes, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, length);
                    Libc.writeFully(stdin.write(), buffer, length);
                }
            }

            @Override
            public boolean hasStdin(String id) {
                return stdins.containsKey(id);
            }

            @Override
            public void closeStdin(String id) {
                StdinPipe stdin = stdins.get(id);
                if (stdin != null && stdins.replace(id, stdin, new StdinPipe(-1))) {
                    Libc.closeQuietly(stdin.write()); // the container reads end of file
                }
            }

            @Override
            public void resize(String id, int rows, int columns) {
                Watched w = watched.get(id);
                if (w == null || w.process() == null || w.process().terminal() == null) {
                    throw new BerthException("container " + id + " has no terminal");
                }
                w.process().terminal().resize(rows, columns);
            }

            @Override
            public String restart(String nameOrId) {
                ContainerRecord r = berth.inspect(nameOrId);
                stopping.remove(r.id());
                return Supervisor.this.start(berth.prepareRestart(r.id(), true));
            }

            @Override
            public void stop(String nameOrId, int timeoutSeconds) {
                ContainerRecord r = berth.inspect(nameOrId);
                stopping.add(r.id());
                berth.stop(r.id(), timeoutSeconds);
                awaitRecorded(r.id());
            }

            @Override
            public AutoCloseable follow(String id, java.util.function.BiConsumer<ContainerLog.Stream, byte[]> output,
                                        Runnable ended) {
                return events.follow(id, output, ended);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Integer> nextExit(String id) {
                return events.nextExit(id);
            }

            @Override
            public void onExit(java.util.function.BiConsumer<ContainerRecord, Integer> listener) {
                events.onExit(listener);
            }
        };
    }

    /** Waits (bounded) until the supervisor has recorded a container's end. */
    private void awaitRecorded(String id) {
        for (int i = 0; i < 300 && watched.containsKey(id); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

}
