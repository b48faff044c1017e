"""``python -m srcgrad``: see ``srcgrad.cli``."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
