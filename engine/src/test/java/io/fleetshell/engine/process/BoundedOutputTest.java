package io.fleetshell.engine.process;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedOutputTest {

    @Test
    void keepsExactlyTheHeadAndTheTailWhateverTheChunking() {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            all.append(i).append('\n');
        }
        byte[] bytes = all.toString().getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(13);
        for (int limit : new int[] {1, 2, 7, 100, 1001, bytes.length, bytes.length + 1}) {
            BoundedOutput output = new BoundedOutput(limit);
            int at = 0;
            while (at < bytes.length) {
                int n = Math.min(bytes.length - at, 1 + random.nextInt(300));
                byte[] chunk = new byte[n];
                System.arraycopy(bytes, at, chunk, 0, n);
                output.write(chunk, n);
                at += n;
            }
            int tail = Math.max(1, limit / 2);
            int head = limit - tail;
            String text = all.toString();
            if (bytes.length <= limit) {
                assertThat(output.truncated()).isFalse();
                assertThat(output.text()).isEqualTo(text);
            } else {
                assertThat(output.truncated()).as("limit %d", limit).isTrue();
                assertThat(output.text()).as("limit %d", limit).isEqualTo(text.substring(0, head)
                        + "\n[... " + (bytes.length - head - tail) + " bytes left out ...]\n" + text.substring(bytes.length - tail));
            }
        }
    }

    @Test
    void nothingWrittenIsEmpty() {
        assertThat(new BoundedOutput(64 << 20).text()).isEmpty();
    }
}
