// Freeze on regression: rolls a pattern out batch by batch and, at the first sign of a regression (an
// agent that failed its proof or a gate, a held agent, or a gate that did not pass since the batch),
// freezes: the batches already applied stay as they are, nothing more is deployed, and the run ends with
// exit status 1 naming the deployments, for a person to decide (rollback DEPLOYMENT, or run it again).
// The rollout engine still restores the one agent that failed, as it always does.
// @param pattern=lazy_loading the rewrite pattern to roll out
// @param batchSize=2 agents per batch
// @param interval=30s wait between batches (and the time the gates look back over)
// @param machine= only this machine's agents (empty: every machine)
const agents = fleet.params.machine ? fleet.inventory({machine: fleet.params.machine}) : fleet.inventory();
const candidates = fleet.score(agents).filter(s => s.status === 'optimizable').map(s => s.agent);
let regression = null;

const result = fleet.deploy(candidates, {
    pattern: fleet.params.pattern,
    batchSize: String(fleet.params.batchSize),
    interval: fleet.params.interval,
    // Every failed step is restored by the engine; the batch gate must not roll the rest of the batch back.
    maxFail: 100,
    shouldContinue: (batch) => {
        const bad = batch.agents.filter(a => a.state !== 'applied');
        if (bad.length > 0) {
            regression = `batch ${batch.index + 1}: ${bad.map(a => `${a.agent} ${a.state}: ${a.detail}`).join('; ')}`;
            return false;
        }
        const deployed = batch.agents.map(a => a.agent);
        const notPassed = deployed.length === 0 || fleet.dryRun ? []
            : fleet.gate(deployed, {since: fleet.params.interval}).filter(d => d.verdict === 'fail');
        if (notPassed.length > 0) {
            regression = `batch ${batch.index + 1}: ${notPassed.map(d => `${d.agent} ${d.gate}: ${d.summary}`).join('; ')}`;
            return false;
        }
        return true;
    },
});
fleet.log(`${result.batches.length} batch(es), deployments ${result.deployments.join(', ') || 'none'}`);
if (regression !== null) {
    fleet.stop(`frozen on a regression: ${regression}. Applied batches stay in place; `
        + `rollback ${result.deployments.join(' / ')} undoes them, or fix the cause and run again`);
}
