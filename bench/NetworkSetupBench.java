import dev.berth.Explain;
import dev.berth.network.Networks;
import dev.berth.state.Attachment;
import dev.berth.state.BerthPaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Sets up and tears down one container's network (namespace + pins, veth pair, bridge attach, addresses,
 * default route), in-process, N times; prints the median, min and max in microseconds.
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
        for (int i = -10; i < n; i++) { // ten warm-up rounds first
            String id = HexFormat.of().formatHex(new byte[32]).substring(0, 56) + String.format("%08x", i & 0xffffffffL);
            long start = System.nanoTime();
            Attachment a = networks.plan("benchnet", id, "bench" + (i + 10), null);
            networks.setUp(a, "berth-bench" + (i + 10));
            long wired = System.nanoTime();
            networks.tearDown(a, id);
            if (i >= 0) {
                setUp[i] = (wired - start) / 1000;
                total[i] = (System.nanoTime() - start) / 1000;
            }
        }
        networks.remove("benchnet");
        Arrays.sort(setUp);
        Arrays.sort(total);
        System.out.println(setUp[n / 2] + " " + setUp[0] + " " + setUp[n - 1] + " "
                + total[n / 2] + " " + total[0] + " " + total[n - 1]);
    }
}
