// Low-risk-first canary: rolls a pattern out to the optimizable agents, lowest risk and highest score
// first, in batches of 1 agent, then 5, then 20% of the agents at a time; stops at the first batch in
// which any agent failed its proof or gate, or was held.
// @param pattern=lazy_loading the rewrite pattern to roll out
// @param machine= only this machine's agents (empty: every machine)
// @param interval=30s wait between batches
// @param proofRuns=11 pairs of fresh-process loads at the load-time proof's first look (batch deploy --runs)
const RISK = {low: 0, medium: 1, high: 2};

const agents = fleet.params.machine ? fleet.inventory({machine: fleet.params.machine}) : fleet.inventory();
const scores = fleet.score(agents);
const candidates = scores
    .filter(s => s.status === 'optimizable')
    .sort((a, b) => RISK[a.risk] - RISK[b.risk] || b.score - a.score);
// Say what is left out and why (other language, nothing to gain, infrastructure...), one line each.
const why = reasons => (reasons.length === 0 ? 'no reason given' : reasons[0]).slice(0, 160);
for (const s of scores.filter(s => s.status !== 'optimizable')) {
    fleet.log(`left out ${s.agent}: ${s.status}: ${why(s.reasons)}`);
}
if (candidates.length === 0) {
    fleet.log('nothing to roll out: no agent is optimizable');
} else {
    fleet.log(`rolling ${fleet.params.pattern} out to ${candidates.length} agents, lowest risk first:`,
        candidates.map(s => `${s.agent} (${s.score.toFixed(1)}, ${s.risk} risk)`).join(', '));
    const fifth = Math.max(1, Math.ceil(candidates.length * 0.2));
    const result = fleet.deploy(candidates.map(s => s.agent), {
        pattern: fleet.params.pattern,
        proofRuns: fleet.params.proofRuns,
        interval: fleet.params.interval,
        batchSize: (index, history) => index === 0 ? 1 : index === 1 ? 5 : fifth,
        shouldContinue: (batch) => batch.failed === 0 && batch.held === 0,
    });
    for (const s of result.skipped) {
        fleet.log(`left out ${s.agent}: ${why([s.reason])}`);
    }
    for (const batch of result.batches) {
        fleet.log(`batch ${batch.index + 1}: ${batch.state}: ${batch.agents.map(a => `${a.agent} ${a.state}`).join(', ')}`);
    }
    if (result.stopped) {
        fleet.warn(`stopped: ${result.reason}`);
    }
}
