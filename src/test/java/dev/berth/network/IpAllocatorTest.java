package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.state.BerthPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpAllocatorTest {
    private static final NetworkRecord LAB = new NetworkRecord("lab", "id", "bridge", "10.77.0.0/29", "10.77.0.1", 1500,
            "berth-lab", false, "now");

    private final InMemoryAddressStore store = new InMemoryAddressStore();
    private final IpAllocator allocator = new IpAllocator(store);

    @TempDir
    Path dir;

    @Test
    void theLowestFreeHostAddressIsTakenSkippingTheGateway() {
        assertThat(allocator.reserve(LAB, "a", null).getHostAddress()).isEqualTo("10.77.0.2");
        assertThat(allocator.reserve(LAB, "b", null).getHostAddress()).isEqualTo("10.77.0.3");
        allocator.release("lab", "a", "10.77.0.2");
        assertThat(allocator.reserve(LAB, "c", null).getHostAddress()).isEqualTo("10.77.0.2");
    }

    @Test
    void aFullSubnetIsRefusedWithItsName() {
        for (int i = 0; i < 5; i++) { // a /29 has six host addresses, one of them the gateway
            allocator.reserve(LAB, "c" + i, null);
        }
        assertThatThrownBy(() -> allocator.reserve(LAB, "late", null)).isInstanceOf(BerthException.class)
                .hasMessage("no free address left in network lab (10.77.0.0/29)");
    }

    @Test
    void aStaticAddressMustBeAFreeHostAddressOfTheSubnet() {
        assertThat(allocator.reserve(LAB, "a", "10.77.0.5").getHostAddress()).isEqualTo("10.77.0.5");
        assertThatThrownBy(() -> allocator.reserve(LAB, "b", "10.77.0.5")).hasMessageContaining("already in use on network lab");
        assertThatThrownBy(() -> allocator.reserve(LAB, "b", "10.77.1.5")).hasMessageContaining("is not in network lab's subnet");
        assertThatThrownBy(() -> allocator.reserve(LAB, "b", "10.77.0.1")).hasMessageContaining("gateway");
        assertThatThrownBy(() -> allocator.reserve(LAB, "b", "10.77.0.0")).hasMessageContaining("network, broadcast");
        assertThatThrownBy(() -> allocator.reserve(LAB, "b", "10.77.0.7")).hasMessageContaining("network, broadcast");
        assertThat(allocator.holders("lab")).containsExactly("a");
    }

    @Test
    void releaseGivesBackOnlyTheHoldersAddress() {
        allocator.reserve(LAB, "a", null);
        allocator.release("lab", "someone-else", "10.77.0.2");
        assertThat(allocator.holders("lab")).containsExactly("a");
        allocator.reserve(LAB, "a", null);
        allocator.releaseAll("lab", "a");
        assertThat(allocator.holders("lab")).isEmpty();
    }

    @Test
    void reservationsOfDeadContainersAreCollected() {
        allocator.reserve(LAB, "live", null);
        allocator.reserve(LAB, "dead", null);
        assertThat(allocator.releaseUnowned("lab", Set.of("live"))).containsExactly("10.77.0.3");
        assertThat(allocator.holders("lab")).containsExactly("live");
    }

    @Test
    void concurrentReservationsOnTheFileStoreNeverShareAnAddress() throws Exception {
        NetworkRecord wide = new NetworkRecord("wide", "id", "bridge", "10.88.0.0/24", "10.88.0.1", 1500, "b", false, "now");
        IpAllocator files = new IpAllocator(new FileAddressStore(new BerthPaths(dir.resolve("root"), dir.resolve("run"))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> taken = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String id = "c" + i;
                taken.add(pool.submit(() -> files.reserve(wide, id, null).getHostAddress()));
            }
            Set<String> distinct = new HashSet<>();
            for (Future<String> f : taken) {
                distinct.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(64);
            assertThat(files.holders("wide")).hasSize(64);
        } finally {
            pool.shutdownNow();
        }
    }
}
