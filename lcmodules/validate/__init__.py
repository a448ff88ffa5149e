"""Validate: the rules a loaded course and its modules must satisfy, one module per concern."""
