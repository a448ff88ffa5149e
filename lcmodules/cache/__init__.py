"""Caches: content hashes, the build record, stored models and executed notebooks."""
