"""``python -m sim``: run a scenario ensemble (see :mod:`sim.cli`)."""

from sim.cli import main

if __name__ == "__main__":
    main()
