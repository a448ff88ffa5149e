"""Render: a module's units → a self-contained HTML site shared by every exporter."""
