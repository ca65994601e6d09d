package io.fleetshell.engine.rollout;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The message a locked fleet gives, naming the holder and the way out. */
public final class FleetLock {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private FleetLock() {
    }

    /** "fleet locked by deployment N, started T by pid P on host H", and what to do about it. */
    public static String message(LockHolder holder) {
        String by = holder.deploymentId() == null ? holder.purpose() : holder.purpose().equals("deploy")
                ? "deployment " + holder.deploymentId() : holder.purpose() + " of deployment " + holder.deploymentId();
        return "fleet locked by %s, started %s by pid %d on host %s".formatted(by, WHEN.format(holder.acquiredAt()), holder.pid(),
                holder.host());
    }

    /** The message with the remedy, as seen from {@code thisHost}. */
    public static String explained(LockHolder holder, String thisHost) {
        if (holder.deadOn(thisHost)) {
            return message(holder) + ". That process is gone: deploy recover brings its agents to a consistent state and "
                    + "releases the lock (deploy unlock only breaks the lock).";
        }
        if (!thisHost.equals(holder.host())) {
            return message(holder) + ". It runs on another host, which this one cannot check: wait for it, or, if that host "
                    + "is down, break the lock with deploy unlock --force.";
        }
        return message(holder) + ". Wait for it to finish, or steer it with deploy status, deploy pause, deploy abort.";
    }
}
