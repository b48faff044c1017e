"""Forward rules for SciPy functions, one per differentiable argument of each reverse rule in scipy_rules.py."""
