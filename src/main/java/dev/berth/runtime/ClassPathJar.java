package dev.berth.runtime;

/**
 * A thread that leaves this mount namespace (a spawner pivots into a container's root or joins its mount
 * namespace) can load further classes only from a class path jar the JVM holds open already, and with an
 * AOT cache every class so far may have come from the cache, the jar never opened: then the first
 * exception on such a thread fails with NoClassDefFoundError. Opening the jar first prevents that.
 */
final class ClassPathJar {
    private static volatile boolean open;

    private ClassPathJar() {}

    static void openNow() {
        if (!open) {
            ClassPathJar.class.getClassLoader().getResource("META-INF/MANIFEST.MF");
            open = true;
        }
    }
}
