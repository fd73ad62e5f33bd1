"""Regional alignment simulator: how the 33 CELAC states position themselves between the US and China.

Layers (each talks only to the one below):

- ``seeds/`` calibration tables → :mod:`sim.data` (loading and validation)
- :mod:`sim.dynamics` (one array update function; each mechanism a named term)
- :mod:`sim.engine` / :mod:`sim.model` (batched runs; the Mesa model) → :mod:`sim.runners`
- :mod:`sim.reporting` (tables, figures) → :mod:`sim.cli` (Hydra command line)
"""

__version__ = "0.2.0"
