-- Every run is inserted into each index of runs, and most of the engine's database time is spent
-- writing runs. runs_running served only the shutdown hand-back (runs a node is delivering): that
-- rare statement finds them through runs_due, whose predicate includes RUNNING, so the index cost
-- one insert per run for nothing.
drop index runs_running;
