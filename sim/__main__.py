"""``python -m sim``: run a scenario ensemble (see :mod:`sim.cli`)."""

from sim.cli import main

main()
