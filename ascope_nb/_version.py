"""The package version (one place; ``ascope_nb.__version__`` re-exports it)."""

__version__ = "0.1.0"
