package io.fleetshell.engine.inventory;

import com.fasterxml.jackson.annotation.JsonValue;

/** An agent's identity: the same name may exist on two machines. Printed as {@code machine/name}. */
public record AgentId(String machine, String name) implements Comparable<AgentId> {

    /** Parses {@code machine/name}; a bare name has a null machine. */
    public static AgentId parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? new AgentId(null, text) : new AgentId(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public int compareTo(AgentId other) {
        int byMachine = String.valueOf(machine).compareTo(String.valueOf(other.machine));
        return byMachine != 0 ? byMachine : name.compareTo(other.name);
    }

    @Override
    @JsonValue
    public String toString() {
        return machine == null ? name : machine + "/" + name;
    }
}
