"""Serve: a module or course re-loaded, re-validated and re-rendered in memory as its sources change."""
