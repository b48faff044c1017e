"""Functions, classes and constants that tests/transform/test_corpus_calls.py imports from another module:
the callee side of cross-module call trees."""
