"""Benchmark of the simulator: ``python -m sim.bench`` (``make bench``) prints a table and one JSON line.

Contenders are timed interleaved in one process (A B A B ..., CPU time and wall time, medians over rounds) with
BLAS pinned to one thread: the batched engine against ``mesa.batch_run`` of the Mesa model on matched work, a
plain-Python Mesa version of the same rule (:mod:`sim.bench.mesa_plain`), the engine's outcomes-only rate, its
cost against batch size, number of states and number of runs (with peak memory), the fraction of a stated floor,
and a Sobol-sized design on every core. docs/performance.md explains the method and shows the results.
"""
