package dev.berth.daemon;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a supervisor that may exit when idle counts as idle. */
class ActivityTest {
    @Test
    void workInProgressIsNeverIdleAndEndingItStartsTheIdleTime() throws Exception {
        Activity activity = new Activity();
        assertThat(activity.idleFor(0)).isTrue();
        AutoCloseable first = activity.begin();
        AutoCloseable second = activity.begin();
        assertThat(activity.idleFor(0)).isFalse();
        first.close();
        first.close(); // a second close changes nothing
        assertThat(activity.idleFor(0)).as("one piece of work still runs").isFalse();
        second.close();
        assertThat(activity.idleFor(0)).isTrue();
        assertThat(activity.idleFor(java.util.concurrent.TimeUnit.HOURS.toNanos(1))).as("it just ended").isFalse();
    }
}
