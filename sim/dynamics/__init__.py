"""The dynamics: world, state, lever plans, mechanism terms and the one monthly update function."""
