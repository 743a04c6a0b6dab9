import dev.berth.Explain;
import dev.berth.netlink.Rtnetlink;
import dev.berth.network.Networks;
import dev.berth.state.Attachment;
import dev.berth.state.BerthPaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Sets up and tears down one container's network (namespace + pins, veth pair, bridge attach, addresses,
 * default route), in-process, N times; prints the median, min and max in microseconds of the set-up and
 * of set-up + tear-down, then the wall time per container of the whole loop including the kernel's
 * asynchronous freeing of the last namespace.
 * Run by bench/network-setup.sh inside a throw-away network namespace.
 */
public class NetworkSetupBench {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("berth-bench-net");
        Networks networks = new Networks(new BerthPaths(dir.resolve("root"), dir.resolve("run")), Explain.NONE);
        networks.create("benchnet", "bridge", "10.99.0.0/16", null, 1500, false);
        long[] setUp = new long[n];
        long[] total = new long[n];
        long loopStart = 0;
        for (int i = -10; i < n; i++) { // ten warm-up rounds first
            String id = String.format("%08x", i & 0xffffffffL) + HexFormat.of().formatHex(new byte[32]).substring(8);
            long start = System.nanoTime();
            if (i == 0) {
                loopStart = start;
            }
            Attachment a = networks.plan("benchnet", id, "bench" + (i + 10), null);
            networks.setUp(a, "berth-bench" + (i + 10));
            long wired = System.nanoTime();
            networks.tearDown(a, id);
            if (i >= 0) {
                setUp[i] = (wired - start) / 1000;
                total[i] = (System.nanoTime() - start) / 1000;
            }
        }
        // the kernel frees torn-down namespaces and their veth pairs asynchronously: wait for the last one,
        // so that the amortised figure pays for that work too
        try (Rtnetlink host = Rtnetlink.here(Explain.NONE)) {
            for (int polls = 0; polls < 10_000 && host.links().stream().anyMatch(l -> l.name().startsWith("vb")); polls++) {
                Thread.sleep(1);
            }
        }
        long amortised = (System.nanoTime() - loopStart) / n / 1000;
        networks.remove("benchnet");
        Arrays.sort(setUp);
        Arrays.sort(total);
        System.out.println(setUp[n / 2] + " " + setUp[0] + " " + setUp[n - 1] + " "
                + total[n / 2] + " " + total[0] + " " + total[n - 1] + " " + amortised);
    }
}
