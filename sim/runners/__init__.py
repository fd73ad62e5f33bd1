"""Runners: ensembles of the batched engine (and, later, sweeps, sensitivity and calibration)."""
