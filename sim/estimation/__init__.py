"""Estimation of the behavioural parameters on the historical record (``python -m sim.calibrate``)."""
