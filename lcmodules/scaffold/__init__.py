"""`lcmodules new`: a module folder from the built-in templates, overridable per course."""
