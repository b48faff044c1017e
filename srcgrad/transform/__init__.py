"""Transforms over the core language: reverse mode, rule inlining, optimization."""
