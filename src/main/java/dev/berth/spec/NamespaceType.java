package dev.berth.spec;

/** The namespace types of OCI {@code linux.namespaces}, with their clone(2) flags. */
public enum NamespaceType {
    PID("pid", "pid", 0x20000000),
    NETWORK("network", "net", 0x40000000),
    MOUNT("mount", "mnt", 0x00020000),
    IPC("ipc", "ipc", 0x08000000),
    UTS("uts", "uts", 0x04000000),
    CGROUP("cgroup", "cgroup", 0x02000000),
    /** Made first, with the process (clone), never unshared: a JVM is never single-threaded. */
    USER("user", "user", 0x10000000);

    private final String ociName;
    private final String procName;
    private final int cloneFlag;

    NamespaceType(String ociName, String procName, int cloneFlag) {
        this.ociName = ociName;
        this.procName = procName;
        this.cloneFlag = cloneFlag;
    }

    public String ociName() { return ociName; }

    /** The namespace's file under /proc/PID/ns. */
    public String procName() { return procName; }

    public static NamespaceType fromOciName(String name) {
        for (NamespaceType type : values()) {
            if (type.ociName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown namespace type " + name);
    }

    public int cloneFlag() { return cloneFlag; }
}
