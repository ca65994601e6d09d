// Nightly profile-and-health report: profiles every agent (each result is stored as a new baseline
// version), asks every agent's health check, prints one line per agent, and changes nothing in the fleet.
// Ends with exit status 1 when the share of healthy agents is below the threshold.
// @param runs=3 fresh processes per agent when profiling
// @param threshold=0.9 the share of agents (0 to 1) that must answer their health check
const agents = fleet.inventory().filter(a => a.scriptFound);
const profiles = fleet.profile(agents, {runs: fleet.params.runs});
const health = fleet.health(agents);
const healthOf = Object.fromEntries(health.map(h => [h.agent, h]));

for (const p of profiles) {
    const h = healthOf[p.agent];
    const load = p.loaded ? `load ${p.loadMs.median.toFixed(1)} ms (${p.loadMs.min.toFixed(1)}-${p.loadMs.max.toFixed(1)}), `
        + `peak RSS ${p.peakRssMb.toFixed(1)} MB, baseline v${p.baselineVersion}` : `FAILED to load: ${p.error}`;
    fleet.log(`${p.agent}: ${load}; health: ${h.healthy ? 'ok' : h.detail}`);
}
const failed = profiles.filter(p => !p.loaded).map(p => p.agent);
if (failed.length > 0) {
    fleet.warn(`${failed.length} agent(s) failed to load: ${failed.join(', ')}`);
}
const healthy = health.filter(h => h.healthy).length;
const share = health.length === 0 ? 1 : healthy / health.length;
fleet.log(`health: ${healthy} of ${health.length} agents healthy (${(share * 100).toFixed(0)}%, threshold ${(fleet.params.threshold * 100).toFixed(0)}%)`);
if (share < fleet.params.threshold) {
    fleet.stop(`only ${healthy} of ${health.length} agents are healthy, below the threshold of ${fleet.params.threshold}`);
}
