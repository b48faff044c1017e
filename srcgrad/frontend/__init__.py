"""Front end: read a function's source, fence off what srcgrad cannot differentiate, and lower the rest to
a small core language (one primitive operation per statement)."""
