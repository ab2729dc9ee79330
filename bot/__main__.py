"""`python -m bot ...`: the command line lives in bot.cli."""

import sys

from bot.cli import run

sys.exit(run())
