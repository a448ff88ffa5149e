"""lcmodules: case write-ups and Jupyter notebooks into versioned training modules."""

__version__ = "0.1.0"
