package io.fleetshell.engine.rollout;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.util.Arrays;

/** What a failed batch gate does ({@code --on-fail}). In every case the rollout does not go on by itself. */
public enum OnFail {
    /** Restore every agent of the failed batch, then stop. The default. */
    ROLLBACK_BATCH("rollback-batch"),
    /** Restore every agent the deployment changed, then stop. */
    ROLLBACK_ALL("rollback-all"),
    /** Leave the batch as it is and wait for {@code deploy resume} or {@code deploy abort} from a person. */
    PAUSE("pause");

    private final String text;

    OnFail(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static OnFail parse(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new FleetshellException(ErrorCode.BAD_INPUT, "--on-fail '" + text
                        + "' is not one of rollback-batch, rollback-all, pause"));
    }
}
