"""Loading and validation of the calibration tables in ``seeds/``."""
