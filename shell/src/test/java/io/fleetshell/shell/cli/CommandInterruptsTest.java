package io.fleetshell.shell.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What each Ctrl-C does to the command running on the calling thread (the presses come from the signal's thread). */
class CommandInterruptsTest {

    private final CommandInterrupts interrupts = new CommandInterrupts();
    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final AtomicInteger leaves = new AtomicInteger();

    CommandInterruptsTest() {
        interrupts.notices(notices::add);
        interrupts.onGivingUp(leaves::incrementAndGet);
    }

    @Test
    void ctrlCInterruptsTheCommandAndTheEndOfTheCommandClearsIt() {
        try (CommandInterrupts.Scope command = interrupts.enter()) {
            interrupts.press();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(interrupts.pressed()).isTrue();
            assertThat(notices).containsExactly("stopping...");
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        interrupts.press(); // at the prompt: nothing runs, nothing happens
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        try (CommandInterrupts.Scope next = interrupts.enter()) {
            assertThat(interrupts.pressed()).as("a new command starts without the last one's presses").isFalse();
        }
    }

    @Test
    void aUnitToFinishTakesTheFirstPressAsARequestTheSecondInterruptsTheFourthLeaves() {
        try (CommandInterrupts.Scope command = interrupts.enter()) {
            interrupts.finishFirst("the running step");
            interrupts.press();
            assertThat(Thread.interrupted()).isFalse();
            assertThat(interrupts.stopRequested()).isTrue();
            assertThat(notices).containsExactly("stopping after the running step; Ctrl-C again stops it now");
            interrupts.press();
            assertThat(Thread.interrupted()).isTrue();
            interrupts.press();
            assertThat(Thread.interrupted()).isTrue();
            assertThat(leaves).hasValue(0);
            interrupts.press();
            assertThat(leaves).hasValue(1);
        }
    }

    @Test
    void nestedCommandsShareTheOutermostOnesPresses() {
        try (CommandInterrupts.Scope script = interrupts.enter()) {
            try (CommandInterrupts.Scope line = interrupts.enter()) {
                interrupts.press();
            }
            assertThat(interrupts.pressed()).as("the script stops too").isTrue();
            assertThat(Thread.interrupted()).isTrue();
        }
    }
}
