package io.fleetshell.engine.playbook;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** The sandbox's stdout ({@code print}) cut into lines for the journal. */
final class LineOutput extends OutputStream {

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Consumer<String> sink;

    LineOutput(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else if (line.size() < FleetApi.MAX_LINE_CHARS * 4) {
            line.write(b);
        }
    }

    @Override
    public synchronized void flush() {
        if (line.size() > 0) {
            emit();
        }
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        sink.accept(text);
    }
}
