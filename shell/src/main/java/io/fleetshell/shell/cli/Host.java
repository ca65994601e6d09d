package io.fleetshell.shell.cli;

import java.net.InetAddress;

/**
 * This machine's host name, as the journal, the fleet lock and playbook runs record it. Looked up once,
 * and only when first asked: on a host whose name does not resolve, the lookup can wait on DNS, which a
 * command that records nothing must not pay for.
 */
public final class Host {

    private Host() {
    }

    public static String name() {
        return Name.VALUE;
    }

    /** Holder idiom: the lookup runs when {@link #name()} is first called. */
    private static final class Name {
        static final String VALUE = lookUp();

        private static String lookUp() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "unknown";
            }
        }
    }
}
