"""Global sensitivity analysis and scenario discovery (``python -m sim.sensitivity``; guide: docs/sensitivity.md).

Modules, in the order a study uses them:

- :mod:`~sim.sensitivity.space` — the factor space (parameters, data estimates, the standing offer, levers, dummy);
- :mod:`~sim.sensitivity.sampling` — SALib samplers and SALib's rules as one-line errors;
- :mod:`~sim.sensitivity.evaluate` — batched runs through the engine's update function, on worker processes;
- :mod:`~sim.sensitivity.outputs` — the engine recorder that keeps only the analysed outputs;
- :mod:`~sim.sensitivity.store` — the study folder: sample, resumable batches, identity;
- :mod:`~sim.sensitivity.analysis`, :mod:`~sim.sensitivity.report`, :mod:`~sim.sensitivity.figures` — SALib
  analyses, noise and convergence, tables and figures;
- :mod:`~sim.sensitivity.discover` — PRIM scenario discovery (EMA workbench, optional extra ``discovery``);
- :mod:`~sim.sensitivity.pipeline` — the glue the command line, the benchmark and the tests share.
"""
