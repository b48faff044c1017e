"""Dataflow analyses over the core language."""
