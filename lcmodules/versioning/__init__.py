"""Versioning: fingerprints, module.lock, status, releases and changelogs — helpers for exporters."""
