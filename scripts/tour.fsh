# A tour of fleetshell on the demo fleet. Run it with:
#   ./fleetshell script scripts/tour.fsh
# Lines starting with # or // are comments; the script stops at the first command that fails.

// The demo: stdlib-only Python agents on two machines (mainpc, pc2), copied to FLEETSHELL_HOME/demo.
demo init

// Every agent, with its machine, group, ports and where its script was found.
inventory list

// One agent in full: the config entry it came from, its resolved script, its flags.
inventory show TutorAgent

// Re-read the startup configs and report what changed (nothing, right after loading).
inventory refresh

// Measure every agent's module load in fresh processes of its own interpreter (3 runs each).
profile --runs 3

// The raw samples behind one agent's figures, and what each import statement cost.
baseline show TutorAgent

// Rank the agents for optimization: measured factors, risk, recommended patterns, predicted gain, batches.
score

// One agent's score in full: every import statement's verdict, measured cost and the rule behind it.
score TutorAgent

// Every state-changing command is on record.
history --limit 5
