"""history-db: ingest of 1,000,000 metric samples and a one-agent 24-hour range query, against raw sqlite3.

    python3 bench/history_ingest.py [--agents N] [--scrapes N] [--repeats N] [--smoke] [--launcher PATH]

Generates, per agent, a recorded exposition with timestamps: one scrape a minute for the last 24 hours
(1,440 scrapes) of the demo agents' metrics (66 samples), so 11 agents make 1,045,440 samples. Then alternately:
  ours: `./fleetshell metrics import AGENT FILE --json` for every agent into a fresh history; the command reports
        the time MetricStore.save took (`store_ms`: one IMMEDIATE transaction, series lookup, batched inserts)
        apart from parsing and JVM start, which are reported on their own line.
  peer: Python's sqlite3 writing the same rows (already in memory) into the same schema (V6 and V19 applied from
        the migration files, WAL, synchronous=NORMAL, foreign keys on): one transaction per agent, executemany.
Range query: `metrics show AGENT --window 24h --metric demo_request_duration_seconds --json` reports `query_ms`
(MetricStore.range: the SQL and mapping every row); the peer runs the same SQL with sqlite3 on the same file
and fetches every row.
"""
import argparse
import datetime
import json
import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, build_if_needed, fmt, machine, summary

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
PATHS = ("/run", "/health", "/metrics", "other")
MIGRATIONS = ROOT / "history-db/src/main/resources/io/fleetshell/history/migration"
# the migrations that shape the metric tables: V6 makes them, V19 indexes the series by agent (the range query)
METRIC_MIGRATIONS = ("V6__metrics.sql", "V19__metric_series_by_agent.sql")
RANGE_SQL = """SELECT s.id, s.name, s.labels_json, m.scrape_id, m.at_ms, m.value
FROM metric_series s JOIN metric_samples m ON m.series_id = s.id
WHERE s.machine = ? AND s.agent = ? AND (s.name = ? OR s.family = ?) AND m.at_ms >= ? AND m.at_ms <= ?
ORDER BY s.id, m.at_ms"""


def series(agent):
    """(family, type, name, labels) of the 66 series of one agent, in exposition order."""
    out = []
    for p in PATHS:
        out.append(("demo_requests_total", "counter", "demo_requests_total", {"agent": agent, "path": p}))
    for p in PATHS:
        for b in BUCKETS + ("+Inf",):
            out.append(("demo_request_duration_seconds", "histogram", "demo_request_duration_seconds_bucket",
                        {"agent": agent, "path": p, "le": b if b == "+Inf" else repr(b)}))
        out.append(("demo_request_duration_seconds", "histogram", "demo_request_duration_seconds_sum", {"agent": agent, "path": p}))
        out.append(("demo_request_duration_seconds", "histogram", "demo_request_duration_seconds_count", {"agent": agent, "path": p}))
    out.append(("demo_agent_info", "gauge", "demo_agent_info", {"agent": agent, "python": "3.11.7"}))
    out.append(("process_resident_memory_bytes", "gauge", "process_resident_memory_bytes", {}))
    return out


def generate(agent, scrapes, end_ms):
    """The exposition text and the rows [(scrape index, at_ms, series index, value)] of one agent."""
    s = series(agent)
    lines, rows = [], []
    by_family = {}
    for idx, (family, kind, name, labels) in enumerate(s):
        by_family.setdefault((family, kind), []).append((idx, name, labels))
    for (family, kind), members in by_family.items():
        lines.append("# TYPE %s %s" % (family, kind))
        for k in range(scrapes):
            at = end_ms - (scrapes - 1 - k) * 60_000
            for idx, name, labels in members:
                value = float(k * 3 + idx % 7)
                label_text = ",".join('%s="%s"' % (a, b) for a, b in labels.items())
                lines.append("%s%s %r %d" % (name, "{%s}" % label_text if label_text else "", value, at))
                rows.append((k, at, idx, value))
    return "\n".join(lines) + "\n", s, rows


def peer_ingest(db_path, agents):
    """Seconds to write every agent's rows with sqlite3 executemany, one transaction per agent."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    for name in METRIC_MIGRATIONS:
        con.executescript((MIGRATIONS / name).read_text())
    start = time.perf_counter()
    for agent, s, rows, file in agents:
        con.execute("BEGIN IMMEDIATE")
        scrape_ids = {}
        for k, at in sorted({(k, at) for k, at, _, _ in rows}):
            cur = con.execute("INSERT INTO metric_scrapes (machine, agent, at_ms, source, url, took_ms, status, bytes, samples)"
                              " VALUES ('sim', ?, ?, 'import', ?, 0, 'ok', 0, 66)", (agent, at, str(file)))
            scrape_ids[k] = cur.lastrowid
        series_ids = []
        for family, kind, name, labels in s:
            cur = con.execute("INSERT INTO metric_series (machine, agent, family, type, name, labels_json) VALUES ('sim', ?, ?, ?, ?, ?)",
                              (agent, family, kind, name, json.dumps(dict(sorted(labels.items())), separators=(",", ":"))))
            series_ids.append(cur.lastrowid)
        con.executemany("INSERT INTO metric_samples (series_id, at_ms, scrape_id, value) VALUES (?, ?, ?, ?)",
                        ((series_ids[i], at, scrape_ids[k], v) for k, at, i, v in rows))
        con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=11)
    parser.add_argument("--scrapes", type=int, default=1440)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--launcher", help="the fleetshell launcher to measure (default: this tree's ./fleetshell, built first);"
                        " another build's, to measure before and after a change in the same machine state")
    args = parser.parse_args()
    n_agents, scrapes, repeats = (2, 20, 1) if args.smoke else (args.agents, args.scrapes, args.repeats)
    if args.launcher:
        fleetshell = str(Path(args.launcher).resolve())
    else:
        build_if_needed()
        fleetshell = str(ROOT / "fleetshell")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        end_ms = int(time.time() * 1000) - 60_000
        agents = []
        for i in range(n_agents):
            name = "Agent%02d" % i
            text, s, rows = generate(name, scrapes, end_ms)
            file = tmp / ("%s.prom" % name)
            file.write_text(text)
            agents.append((name, s, rows, file))
        total = sum(len(a[2]) for a in agents)
        (tmp / "agent.py").write_text("pass\n")
        config = tmp / "startup_config.yaml"
        config.write_text("agent_groups:\n  simulated:\n" + "".join("    %s: {script_path: agent.py}\n" % a[0] for a in agents))

        store_s, command_s, parse_s, peer_s, ratios = [], [], [], [], []
        query_ours, query_peer, query_ratios = [], [], []
        for r in range(repeats):
            home = tmp / ("home-%d" % r)
            env = dict(os.environ, FLEETSHELL_HOME=str(home))
            subprocess.run([fleetshell, "inventory", "load", str(config), "--machine", "sim", "--root", str(tmp)],
                           cwd=ROOT, env=env, check=True, capture_output=True)
            peer = peer_ingest(str(tmp / ("peer-%d.db" % r)), agents)
            stored = parsed = 0.0
            start = time.perf_counter()
            for name, _, _, file in agents:
                out = subprocess.run([fleetshell, "metrics", "import", name, str(file), "--json"], cwd=ROOT, env=env,
                                     capture_output=True, text=True)
                if out.returncode != 0:
                    raise SystemExit("metrics import failed: " + out.stderr[-2000:])
                result = json.loads(out.stdout)
                stored += result["store_ms"] / 1000
                parsed += result["parse_ms"] / 1000
            command_s.append(time.perf_counter() - start)
            store_s.append(stored)
            parse_s.append(parsed)
            peer_s.append(peer)
            ratios.append((total / stored) / (total / peer))

            probe = agents[n_agents // 2][0]
            show = subprocess.run([fleetshell, "metrics", "show", probe, "--window", "24h", "--metric", "demo_request_duration_seconds",
                                   "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
            if show.returncode != 0:
                raise SystemExit("metrics show failed: " + show.stderr[-2000:])
            shown = json.loads(show.stdout)
            ours_q = shown["query_ms"] / 1000
            points = sum(len(s["points"]) for s in shown["series"])
            con = sqlite3.connect(str(home / "history.db"))
            # the same window as fleetshell's: its 24 h ended when it ran, which on a busy machine can be a minute
            # before this line, and a minute moves one scrape out of the window; its first and last points bound it
            def millis(at):
                if isinstance(at, (int, float)):
                    return round(at * 1000)
                return round(datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)
            ats = [millis(p["at"]) for s in shown["series"] for p in s["points"]]
            first_ms, last_ms = min(ats), max(ats)
            q0 = time.perf_counter()
            fetched = con.execute(RANGE_SQL, ("sim", probe, "demo_request_duration_seconds", "demo_request_duration_seconds",
                                              first_ms, last_ms)).fetchall()
            peer_q = time.perf_counter() - q0
            con.close()
            if len(fetched) != points:
                raise SystemExit("the peer query found %d points, fleetshell %d" % (len(fetched), points))
            query_ours.append(ours_q)
            query_peer.append(peer_q)
            query_ratios.append(ours_q / peer_q)
    cmd = "`python3 bench/history_ingest.py --agents %d --scrapes %d`" % (n_agents, scrapes)
    rate = lambda seconds: [total / s for s in seconds]
    print("machine: " + machine())
    print("| what (%d samples: %d agents x %d scrapes x 66) | median (min-max) | command |" % (total, n_agents, scrapes))
    print("|---|---|---|")
    print("| fleetshell MetricStore.save, rows/s | %s | %s |" % (fmt(summary(rate(store_s)), "", 1, 0), cmd))
    print("| peer: Python sqlite3 executemany, same rows and schema, rows/s | %s | %s |" % (fmt(summary(rate(peer_s)), "", 1, 0), cmd))
    print("| ratio fleetshell / peer rows/s (per pair; higher is better) | %s | %s |" % (fmt(summary(ratios)), cmd))
    print("| breakdown: parsing the files, s (not in the rows/s) | %s | %s |" % (fmt(summary(parse_s), " s"), cmd))
    print("| whole commands: %d x metrics import, JVM start included, s | %s | %s |" % (n_agents, fmt(summary(command_s), " s"), cmd))
    print("| one-agent 24 h range query (%d points), fleetshell | %s | %s |" % (points, fmt(summary(query_ours), " ms", 1000, 1), cmd))
    print("| same SQL, Python sqlite3 fetchall on the same file | %s | %s |" % (fmt(summary(query_peer), " ms", 1000, 1), cmd))
    print("| ratio fleetshell / peer query latency (per pair; lower is better) | %s | %s |" % (fmt(summary(query_ratios)), cmd))


if __name__ == "__main__":
    main()
