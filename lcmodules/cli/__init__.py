"""The `lcmodules` command line: a thin group; each subcommand lives in its own module."""
