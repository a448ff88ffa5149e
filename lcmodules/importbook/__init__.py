"""`lcmodules import-book`: a Jupyter Book 1 becomes an lcmodules course, one module per chapter."""
