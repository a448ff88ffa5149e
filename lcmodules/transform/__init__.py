"""Transformations of units before export: the learner edition, notebook execution."""
