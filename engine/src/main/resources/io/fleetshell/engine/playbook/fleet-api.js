// The fleet object a playbook sees. It runs inside the sandbox before the playbook, holds the host
// object in this closure (the playbook cannot reach it), sends every call's arguments as JSON and
// turns errors into JavaScript errors thrown at the playbook's own line.
(function (host, paramsJson, playbookName, dryRun) {
    'use strict';
    const escaped = playbookName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const frame = new RegExp('(?:^|[\\s(/])' + escaped + ':(\\d+)');

    function callerLine() {
        const stack = String(new Error().stack || '').split('\n');
        for (const line of stack) {
            const m = frame.exec(line);
            if (m) {
                return Number(m[1]);
            }
        }
        return 0;
    }

    function show(x) {
        if (typeof x === 'string') {
            return x;
        }
        if (x instanceof Error) {
            return String(x);
        }
        try {
            const s = JSON.stringify(x);
            return s === undefined ? String(x) : s;
        } catch (e) {
            return String(x);
        }
    }

    // JSON has no NaN or Infinity (JSON.stringify writes null): send them as {$number: 'NaN'} so that the host
    // can say "the number NaN" instead of taking a missing value for its default.
    function plain(key, value) {
        if (typeof value === 'function') {
            return undefined;
        }
        return typeof value === 'number' && !Number.isFinite(value) ? {$number: String(value)} : value;
    }

    function call(name, args) {
        args = Array.from(args);
        const policies = {};
        args.forEach((a, i) => {
            if (typeof a === 'function') {
                throw new TypeError(`fleet.${name}: argument ${i + 1} is a function; pass policies in the options object, `
                    + `e.g. {batchSize: (index, history) => 5}`);
            }
            if (a !== null && typeof a === 'object' && !Array.isArray(a)) {
                for (const key of Object.keys(a)) {
                    if (typeof a[key] === 'function') {
                        const policy = a[key];
                        // The host calls policies with JSON and reads JSON back: plain data both ways.
                        policies[key] = (json) => JSON.stringify(policy(...JSON.parse(json)) ?? null, plain);
                    }
                }
            }
        });
        let json;
        try {
            json = JSON.stringify(args, plain);
        } catch (e) {
            throw new TypeError(`fleet.${name}: arguments must be plain data (${e.message})`);
        }
        const reply = JSON.parse(host.call(name, json, policies, callerLine()));
        if (reply.error !== undefined) {
            const error = new Error(reply.error);
            error.name = 'FleetError';
            throw error;
        }
        return reply.ok === null ? undefined : reply.ok;
    }

    function strict(target, what, hint) {
        return new Proxy(target, {
            get(t, key) {
                if (typeof key === 'string' && !(key in t) && key !== 'toJSON') {
                    throw new TypeError(`${what}.${key} does not exist; ${hint(Object.keys(t))}`);
                }
                return t[key];
            },
            set(t, key) {
                throw new TypeError(`${what} is read-only: ${what}.${String(key)} cannot be set`);
            }
        });
    }

    const params = strict(Object.freeze(JSON.parse(paramsJson)), 'fleet.params',
        known => 'declare parameters in the header with // @param NAME=DEFAULT' + (known.length ? ` (declared: ${known.join(', ')})` : ''));

    const api = Object.freeze({
        inventory: function inventory(filter) { return call('inventory', arguments); },
        score: function score(agents) { return call('score', arguments); },
        profile: function profile(agents, options) { return call('profile', arguments); },
        plan: function plan(agents, options) { return call('plan', arguments); },
        deploy: function deploy(batch, options) { return call('deploy', arguments); },
        gate: function gate(agents, options) { return call('gate', arguments); },
        health: function health(agents) { return call('health', arguments); },
        metrics: function metrics(agent, window) { return call('metrics', arguments); },
        rollback: function rollback(target, options) { return call('rollback', arguments); },
        sleep: function sleep(duration) { call('sleep', arguments); },
        log: function log(...parts) { host.print(false, parts.map(show).join(' '), callerLine()); },
        warn: function warn(...parts) { host.print(true, parts.map(show).join(' '), callerLine()); },
        stop: function stop(reason) { call('stop', arguments); },
        params: params,
        dryRun: dryRun,
        playbook: playbookName
    });

    const fleet = strict(api, 'fleet', known => 'the playbook API has ' + known.filter(k => typeof api[k] === 'function').join(', ')
        + ' and params, dryRun, playbook (see scripts/PLAYBOOKS.md)');
    Object.defineProperty(globalThis, 'fleet', {value: fleet, writable: false, configurable: false, enumerable: true});
    Object.defineProperty(globalThis, 'console', {
        value: Object.freeze({log: api.log, info: api.log, debug: api.log, warn: api.warn, error: api.warn}),
        writable: false, configurable: false
    });
})
