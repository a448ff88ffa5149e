"""Export: the registry of output formats, read from the `lcmodules.exporters` entry points."""

from __future__ import annotations

import functools
from importlib.metadata import entry_points

from lcmodules.export.base import Artifact, BuildOptions, Exporter

__all__ = ["Artifact", "BuildOptions", "Exporter", "available_formats", "get_exporter"]

GROUP = "lcmodules.exporters"


def available_formats() -> list[str]:
    """Every registered format name, sorted."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def get_exporter(name: str) -> Exporter:
    """An instance of the exporter registered under `name`."""
    return exporter_class(name)()


@functools.cache
def exporter_class(name: str) -> type[Exporter]:
    """The class registered under `name` (entry points are read once per process)."""
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            return ep.load()
    raise KeyError(name)
