"""Question types: one module per type declares its fields, checks, grading and mappings."""
