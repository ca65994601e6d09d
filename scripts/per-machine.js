// Per-machine rollout: rolls a pattern out to one machine's optimizable agents at a time, in the order
// given (mainpc, then pc2), checks the machine's health after its rollout, and does not start the next
// machine when a rollout stopped or an agent that was healthy before is not healthy after.
// @param pattern=lazy_loading the rewrite pattern to roll out
// @param machines=mainpc,pc2 the machines, in order, comma-separated
// @param batchSize=50% agents per batch within a machine: a count, a percentage or a list such as 1,5,20%
// @param interval=30s wait between batches
// @param proofRuns=11 pairs of fresh-process loads at the load-time proof's first look (batch deploy --runs)
for (const machine of fleet.params.machines.split(',').map(m => m.trim())) {
    const scored = fleet.score(fleet.inventory({machine}));
    const agents = scored.filter(s => s.status === 'optimizable').map(s => s.agent);
    if (agents.length === 0) {
        fleet.log(`${machine}: nothing to roll out`);
        continue;
    }
    const before = fleet.health(agents).filter(h => h.healthy).map(h => h.agent);
    fleet.log(`${machine}: rolling ${fleet.params.pattern} out to ${agents.length} agents (${before.length} healthy now)`);
    const result = fleet.deploy(agents, {
        pattern: fleet.params.pattern,
        proofRuns: fleet.params.proofRuns,
        batchSize: String(fleet.params.batchSize),
        interval: fleet.params.interval,
    });
    const applied = result.batches.reduce((n, b) => n + b.applied, 0);
    fleet.log(`${machine}: ${applied} of ${result.planned} applied in ${result.batches.length} batches`
        + (result.deployments.length ? ` (deployments ${result.deployments.join(', ')})` : ''));
    if (result.stopped) {
        fleet.warn(`${machine}: ${result.reason}; the next machines are left as they are`);
        break;
    }
    const sick = fleet.health(before).filter(h => !h.healthy);
    if (sick.length > 0) {
        fleet.stop(`${machine}: healthy before, not after: ${sick.map(h => `${h.agent} (${h.detail})`).join(', ')}`);
    }
}
