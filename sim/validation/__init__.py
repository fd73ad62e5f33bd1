"""Validation of the model against history (``python -m sim.validate``): out-of-sample skill against baselines."""
