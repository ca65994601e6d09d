package io.fleetshell.engine.rollout;

import java.time.Instant;
import java.util.Objects;

/**
 * Who holds the fleet lock: one deployment (or rollback, or recovery) at a time per fleet.
 *
 * @param deploymentId the deployment it works on, or null
 * @param purpose      deploy, rollback or recover
 * @param pid          the process holding it
 * @param processStart that process's start instant as the OS reported it (tells a reused pid apart), or null
 * @param host         the host that process runs on
 * @param acquiredAt   when it was taken
 */
public record LockHolder(Long deploymentId, String purpose, long pid, String processStart, String host, Instant acquiredAt) {

    /** This process, about to take the lock. */
    public static LockHolder self(Long deploymentId, String purpose, String host) {
        ProcessHandle me = ProcessHandle.current();
        return new LockHolder(deploymentId, purpose, me.pid(), startOf(me), host, Instant.now());
    }

    /**
     * Whether the holder is known to be gone: same host, and no process with that pid, or one started at
     * another instant (the pid was reused). A holder on another host cannot be checked and counts as alive.
     */
    public boolean deadOn(String thisHost) {
        if (!Objects.equals(host, thisHost)) {
            return false;
        }
        return ProcessHandle.of(pid)
                .map(p -> processStart != null && !processStart.equals(startOf(p)))
                .orElse(true);
    }

    public boolean isSelf() {
        ProcessHandle me = ProcessHandle.current();
        return me.pid() == pid && Objects.equals(processStart, startOf(me));
    }

    private static String startOf(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toString).orElse(null);
    }
}
