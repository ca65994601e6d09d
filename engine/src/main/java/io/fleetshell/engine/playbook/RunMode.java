package io.fleetshell.engine.playbook;

/** How a playbook's actions are carried out. */
public enum RunMode {
    /** For real. */
    RUN("run"),
    /** Deploys and rollbacks are planned and journaled, not executed; reads run for real. */
    DRY_RUN("dry-run"),
    /** Against a recorded deployment: the port answers from the record, nothing waits and nothing is written. */
    SIMULATE("simulate");

    private final String label;

    RunMode(String label) {
        this.label = label;
    }

    /** The word the history database and {@code --json} use. */
    public String label() {
        return label;
    }
}
