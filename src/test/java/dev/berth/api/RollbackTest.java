package dev.berth.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RollbackTest {
    @Test
    void stepsAreUndoneNewestFirstAndAFailingOneDoesNotStopTheRest() {
        List<String> undone = new ArrayList<>();
        Rollback rollback = new Rollback();
        rollback.add(() -> undone.add("address"));
        rollback.add(() -> {
            throw new IllegalStateException("record already gone");
        });
        rollback.add(() -> undone.add("files"));

        RuntimeException failure = rollback.undo(new IllegalArgumentException("bad hostname"));

        assertThat(undone).containsExactly("files", "address");
        assertThat(failure).hasMessage("bad hostname");
        assertThat(failure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("record already gone");
    }

    @Test
    void aRollbackRunsOnlyOnce() {
        List<String> undone = new ArrayList<>();
        Rollback rollback = new Rollback();
        rollback.add(() -> undone.add("x"));
        rollback.undo(new RuntimeException());
        rollback.undo(new RuntimeException());
        assertThat(undone).containsExactly("x");
    }
}
