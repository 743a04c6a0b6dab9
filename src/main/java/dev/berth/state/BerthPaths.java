package dev.berth.state;

import java.nio.file.Path;

/**
 * Every path berth uses on disk, in one place. The state root holds what must survive a reboot
 * (images, container records and their writable layers); the run root holds what only makes sense
 * while the machine is up (locks, and later namespace pins and sockets).
 */
public record BerthPaths(Path root, Path runRoot) {
    public static final String DEFAULT_ROOT = "/var/lib/berth";
    public static final String DEFAULT_RUN_ROOT = "/run/berth";

    public BerthPaths {
        root = root.toAbsolutePath().normalize();
        runRoot = runRoot.toAbsolutePath().normalize();
    }

    /**
     * The installation's identity in the names of kernel objects, which all installations on a host
     * share: empty for the default root (berth0, vb…, inet berth, berth-NAME), else four hex digits of
     * the root's path, so two state roots never take each other's objects.
     */
    public String installation() {
        if (root.equals(Path.of(DEFAULT_ROOT))) {
            return "";
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 2);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The installation's name for kernel objects: "berth", or "berth-ID". */
    public String objectPrefix() {
        String id = installation();
        return id.isEmpty() ? "berth" : "berth-" + id;
    }

    /** The bridge of the default network: berth0, or berth0-ID. */
    public String defaultBridge() {
        String id = installation();
        return id.isEmpty() ? "berth0" : "berth0-" + id;
    }

    /** A fresh name for a container's host veth end: vb + 11 hex digits, or vID- + 8 (15 characters at most). */
    public String newHostVeth(String randomHex) {
        String id = installation();
        return id.isEmpty() ? "vb" + randomHex.substring(0, 11) : "v" + id + "-" + randomHex.substring(0, 8);
    }

    /** Whether a link name is one of this installation's host veth ends. */
    public boolean isOwnHostVeth(String name) {
        String id = installation();
        return id.isEmpty() ? name.matches("vb[0-9a-f]{11}") : name.matches("v" + id + "-[0-9a-f]{8}");
    }

    public Path images() { return root.resolve("images"); }

    /** Unpacked layers, one directory each, named by the layer's key: overlay lower directories. */
    public Path imageLayers() { return images().resolve("layers"); }

    public Path imageLayer(String key) { return imageLayers().resolve(key); }

    /** Manifests and image configurations, by digest (sha256/HEX). */
    public Path imageBlobs() { return images().resolve("blobs"); }

    /** One record per image, named by the hex of its id. */
    public Path imageRecords() { return images().resolve("records"); }

    public Path imageRecord(String idHex) { return imageRecords().resolve(idHex + ".json"); }

    public Path containers() { return root.resolve("containers"); }

    public Path container(String id) { return containers().resolve(id); }

    public Path containerRecord(String id) { return container(id).resolve("state.json"); }

    /** The container's OCI configuration, as the runtime received it. */
    public Path containerConfig(String id) { return container(id).resolve("config.json"); }

    public Path upperDir(String id) { return container(id).resolve("upper"); }

    public Path workDir(String id) { return container(id).resolve("work"); }

    /** Where the container's root is assembled (inside its own mount namespace only). */
    public Path mergedDir(String id) { return container(id).resolve("merged"); }

    /** Named and anonymous volumes, one directory each: its record and its content (_data, Docker's layout). */
    public Path volumes() { return root.resolve("volumes"); }

    public Path volume(String name) { return volumes().resolve(name); }

    public Path volumeData(String name) { return volume(name).resolve("_data"); }

    public Path volumeRecord(String name) { return volume(name).resolve("volume.json"); }

    public Path networks() { return root.resolve("networks"); }

    public Path network(String name) { return networks().resolve(name); }

    public Path networkRecord(String name) { return network(name).resolve("network.json"); }

    /** One file per allocated address, named by the address, holding the container's id. */
    public Path networkAddresses(String name) { return network(name).resolve("addresses"); }

    /** berth's own pins of network namespaces. */
    public Path netnsPins() { return runRoot.resolve("netns"); }

    public Path netnsPin(String containerId) { return netnsPins().resolve(containerId); }

    /** Where {@code ip netns} looks: the container's namespace is also pinned there. */
    public Path visibleNetns(String containerName) { return Path.of("/run/netns", objectPrefix() + "-" + containerName); }

    /** A detached container's output (stdout and stderr), one timestamped line per line it wrote. */
    public Path containerLog(String id) { return container(id).resolve("container.log"); }

    /**
     * The FIFO a detached container writes its output into. The container holds it open read-write, so
     * it never meets a closed pipe while the supervisor is down; the supervisor drains it into the log.
     */
    public Path containerOutput(String id) { return container(id).resolve("output.fifo"); }

    /** The FIFO a detached container writes its stderr into (as its output FIFO). */
    public Path containerErrors(String id) { return container(id).resolve("errors.fifo"); }

    /** The supervisor's socket, reachable by root only. */
    public Path supervisorSocket() { return runRoot.resolve("berth.sock"); }

    /** The supervisor's Docker Engine API (DOCKER_HOST=unix://…), reachable by root only. */
    public Path engineSocket() { return runRoot.resolve("docker.sock"); }

    /** Where the launcher's shell client hands command lines to the supervisor (root only: see ClientDoor). */
    public Path clientDoor() { return runRoot.resolve("clients"); }

    /** The supervisor's own output. */
    public Path supervisorLog() { return runRoot.resolve("supervisor.log"); }

    public Path lock(String name) { return runRoot.resolve("locks").resolve(name + ".lock"); }
}
