"""ascope_nb: build, watch, steer and harvest AgentScope-style LLM agents in Jupyter.

Import cost is kept low: subpackages load when first used.

Example:
    >>> import ascope_nb
    >>> ascope_nb.__version__
    '0.1.0'
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
