"""`python -m server`: the same as the `backprop-lab` command (cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":  # not again in a worker process, which imports the main module (workers.py)
    sys.exit(main())
