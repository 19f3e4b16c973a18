"""`python -m server`: the same as the `backprop-lab` command (cli.py)."""

import sys

from .cli import main

sys.exit(main())
