"""The generated ML fleet of benchmark B1 (issue 8): agents modelled on real ML agents, and its variants.

* `archetypes`: the agent shapes (imports, traps, the `/run` work and the self-test of each);
* `generate`: writes a fleet directory (two machines' startup configs, agents, self-tests), seeded;
* `variants`: the copies that are measured: the naive rewrite fleets use today, the floor
  (deferrable imports deleted, for measurement only) and fleetshell's own rewrite;
* `measure`: module load, time-to-healthy, first-request latency and self-test of one agent.

`bench/b1_fleet.py` runs the benchmark; `python3 -m mlfleet.generate DIR` (from `bench/`) only writes a fleet.
"""
