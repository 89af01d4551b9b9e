"""Notebook layer: magics, live widgets (``views``) and their static assets."""
