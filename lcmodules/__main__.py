"""Allows `python -m lcmodules`."""

from lcmodules.cli.main import main

main()
