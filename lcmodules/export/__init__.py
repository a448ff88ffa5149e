"""Export: the registry of output formats, read from the `lcmodules.exporters` entry points."""
