package dev.berth.spec;

/** The namespace types of OCI {@code linux.namespaces}, with their clone(2) flags. */
public enum NamespaceType {
    PID("pid", 0x20000000),
    NETWORK("network", 0x40000000),
    MOUNT("mount", 0x00020000),
    IPC("ipc", 0x08000000),
    UTS("uts", 0x04000000),
    CGROUP("cgroup", 0x02000000);

    private final String ociName;
    private final int cloneFlag;

    NamespaceType(String ociName, int cloneFlag) {
        this.ociName = ociName;
        this.cloneFlag = cloneFlag;
    }

    public String ociName() { return ociName; }

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
