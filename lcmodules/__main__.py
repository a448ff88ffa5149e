"""Allows `python -m lcmodules`."""

from lcmodules.cli import main

main()
