"""Load: a lecturer's sources (course, modules, units) into the typed model."""
