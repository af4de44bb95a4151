"""`python3 -m backdoor_playground ...`: the command line (experiment/cli.py)."""

import sys

from .experiment.cli import main

if __name__ == "__main__":
    sys.exit(main())
