"""Rules for SciPy functions (the optional extra ``srcgrad[scipy]``): registered only when SciPy imports."""
