-- The range query (metrics show --metric, MetricStore.range) reads one agent's series in id order and each
-- series' samples by time. The unique index on (machine, agent, name, labels_json) finds the agent's series but
-- in label order, so SQLite sorted every sample row in a temporary B-tree; this index (rowid appended) hands them
-- over in id order and the sort is gone (B6).
CREATE INDEX metric_series_agent ON metric_series (machine, agent);
