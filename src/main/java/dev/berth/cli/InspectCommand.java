package dev.berth.cli;

import dev.berth.state.Attachment;
import dev.berth.state.ContainerRecord;
import dev.berth.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth inspect}: containers as JSON, in the shape of Docker's inspect output. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show containers as JSON.")
final class InspectCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        var berth = Main.berth(spec);
        List<Map<String, Object>> views = containers.stream().map(c -> view(berth.inspect(c))).toList();
        spec.commandLine().getOut().println(Json.render(views));
        spec.commandLine().getOut().flush();
    }

    static Map<String, Object> view(ContainerRecord r) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", r.status().name().toLowerCase(java.util.Locale.ROOT));
        state.put("Running", r.status() == ContainerRecord.Status.RUNNING);
        state.put("Pid", r.status() == ContainerRecord.Status.RUNNING ? r.pid() : 0);
        state.put("ExitCode", r.exitCode());
        state.put("OOMKilled", r.oomKilled());
        state.put("RestartCount", r.restartCount());
        state.put("StartedAt", r.startedAt());
        state.put("FinishedAt", r.finishedAt());

        Map<String, Object> network = new LinkedHashMap<>();
        network.put("NetworkMode", r.networkMode());
        network.put("Ports", r.ports().stream().map(Object::toString).toList());
        Attachment first = r.attachment();
        if (first != null) {
            network.put("SandboxKey", first.visiblePath());
            network.put("IPAddress", first.ipAddress());
            network.put("IPPrefixLen", first.prefixLength());
            network.put("Gateway", first.gateway());
            Map<String, Object> networks = new LinkedHashMap<>();
            for (Attachment a : r.attachments()) {
                Map<String, Object> endpoint = new LinkedHashMap<>();
                endpoint.put("Driver", a.driver());
                endpoint.put("IPAddress", a.ipAddress());
                endpoint.put("IPPrefixLen", a.prefixLength());
                endpoint.put("Gateway", a.gateway());
                endpoint.put("MTU", a.mtu());
                endpoint.put("HostInterface", a.hostInterface());
                endpoint.put("ContainerInterface", a.containerInterface());
                endpoint.put("Bridge", a.bridge());
                endpoint.put("NamespacePin", a.namespacePath());
                networks.put(a.network(), endpoint);
            }
            network.put("Networks", networks);
        }

        Map<String, Object> view = new LinkedHashMap<>();
        view.put("Id", r.id());
        view.put("Name", r.name());
        view.put("Created", r.created());
        view.put("Path", r.command().getFirst());
        view.put("Args", r.command().subList(1, r.command().size()));
        view.put("State", state);
        view.put("Image", r.image());
        view.put("Rootfs", r.rootfs());
        view.put("AutoRemove", r.autoRemove());
        view.put("RestartPolicy", r.restartPolicy());
        view.put("Detached", r.detached());
        view.put("NetworkSettings", network);
        view.put("Mounts", r.mounts().stream().map(dev.berth.engine.DockerViews::mount).toList());
        return view;
    }
}
