// Freeze on regression: rolls a pattern out batch by batch and, at the first sign of a regression (an
// agent that failed its proof or a gate, a held agent, or a gate that did not pass since the batch),
// freezes: the batches already applied stay as they are, nothing more is deployed, and the run ends with
// exit status 1 naming the deployments, for a person to decide (rollback DEPLOYMENT, or run it again).
// The rollout engine still restores the one agent that failed, as it always does.
// @param pattern=lazy_loading the rewrite pattern to roll out
// @param batchSize=2 agents per batch
// @param interval=30s wait between batches (and the time the gates look back over)
// @param machine= only this machine's agents (empty: every machine)
// @param proofRuns=11 pairs of fresh-process loads at the load-time proof's first look (batch deploy --runs)
const agents = fleet.params.machine ? fleet.inventory({machine: fleet.params.machine}) : fleet.inventory();
const candidates = fleet.score(agents).filter(s => s.status === 'optimizable').map(s => s.agent);
// Only agents that answer their health check now can regress at run time; the others are judged by their proof.
const running = new Set(fleet.health(candidates).filter(h => h.healthy).map(h => h.agent));
// A regression in a batch: an agent that is not applied (its proof or gate failed: the engine restored it;
// or it is held), or a running agent whose gates failed since the batch. Null when the batch is clean.
function regressionIn(batch) {
    const bad = batch.agents.filter(a => a.state !== 'applied');
    if (bad.length > 0) {
        return `batch ${batch.index + 1}: ${bad.map(a => `${a.agent} ${a.state}: ${a.detail}`).join('; ')}`;
    }
    const deployed = batch.agents.map(a => a.agent).filter(a => running.has(a));
    const failed = deployed.length === 0 || fleet.dryRun ? []
        : fleet.gate(deployed, {since: fleet.params.interval}).filter(d => d.verdict === 'fail');
    return failed.length === 0 ? null
        : `batch ${batch.index + 1}: ${failed.map(d => `${d.agent} ${d.gate}: ${d.summary}`).join('; ')}`;
}

let regression = null;
const result = fleet.deploy(candidates, {
    pattern: fleet.params.pattern,
    proofRuns: fleet.params.proofRuns,
    batchSize: String(fleet.params.batchSize),
    interval: fleet.params.interval,
    // Every failed step is restored by the engine; the batch gate must not roll the rest of the batch back.
    maxFail: 100,
    shouldContinue: (batch) => (regression = regressionIn(batch)) === null,
});
const last = result.batches[result.batches.length - 1];
if (regression === null && last !== undefined) {
    regression = regressionIn(last); // shouldContinue is not asked after the last batch
}
fleet.log(`${result.batches.length} batch(es), deployments ${result.deployments.join(', ') || 'none'}`);
if (regression !== null) {
    fleet.stop(`frozen on a regression: ${regression}. Applied batches stay in place; `
        + `rollback ${result.deployments.join(' / ')} undoes them, or fix the cause and run again`);
}
