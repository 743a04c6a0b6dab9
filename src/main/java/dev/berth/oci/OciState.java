package dev.berth.oci;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What berth-oci records of a container it created ({@code ROOT/ID/state.json}): enough to find its
 * process again (pid and start time, so a recycled pid is never taken for it), its bundle and its group.
 * Its status is not recorded but read off the kernel each time ({@link OciRuntime#status}).
 */
public record OciState(String id, int pid, long pidStartTime, String bundle, String rootfs, String created,
                       String cgroupsPath, Map<String, String> annotations) {
    public OciState {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** What state.json holds. Built and read by hand: jackson-jr's record binding costs an engine's call ~45 ms. */
    Map<String, Object> toRecord() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", id);
        record.put("pid", pid);
        record.put("pidStartTime", pidStartTime);
        record.put("bundle", bundle);
        record.put("rootfs", rootfs);
        record.put("created", created);
        record.put("cgroupsPath", cgroupsPath);
        record.put("annotations", annotations);
        return record;
    }

    @SuppressWarnings("unchecked")
    static OciState fromRecord(Map<String, Object> record) {
        return new OciState((String) record.get("id"), ((Number) record.get("pid")).intValue(),
                ((Number) record.get("pidStartTime")).longValue(), (String) record.get("bundle"),
                (String) record.get("rootfs"), (String) record.get("created"), (String) record.get("cgroupsPath"),
                (Map<String, String>) record.get("annotations"));
    }

    /** The runtime spec's state JSON, with status; pid 0 once stopped (runc's habit). */
    public Map<String, Object> view(String status) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("ociVersion", dev.berth.spec.ContainerSpec.OCI_VERSION);
        view.put("id", id);
        view.put("status", status);
        view.put("pid", status.equals("stopped") ? 0 : pid);
        view.put("bundle", bundle);
        view.put("rootfs", rootfs);
        view.put("created", created);
        view.put("owner", "");
        if (!annotations.isEmpty()) {
            view.put("annotations", new LinkedHashMap<>(annotations));
        }
        return view;
    }
}
