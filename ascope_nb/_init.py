"""``ascope_nb.init``: AgentScope 1.x's ``agentscope.init`` (project, run name, run id, log).

Example:
    >>> import ascope_nb
    >>> from ascope_nb import _config
    >>> ascope_nb.init(project="demo", name="first")
    >>> _config.project, _config.name
    ('demo', 'first')
"""

from __future__ import annotations

import logging

from . import _config


def init(
    project: str | None = None,
    name: str | None = None,
    run_id: str | None = None,
    logging_path: str | None = None,
    logging_level: str = "INFO",
    studio_url: str | None = None,
    tracing_url: str | None = None,
) -> None:
    """Set this context's project, run name and run id; log to ``logging_path``; send traces
    to ``tracing_url`` (an OpenTelemetry collector). ``studio_url`` (AgentScope Studio) is
    not supported: ValueError, nothing changed."""
    if studio_url:
        raise ValueError(
            f"init(studio_url={studio_url!r}): AgentScope Studio is not supported; the notebook "
            "is the studio here (use tracing_url= for an OpenTelemetry collector)"
        )
    level = logging.getLevelName(logging_level.upper())
    if not isinstance(level, int):
        raise ValueError(f"init(logging_level={logging_level!r}): not a logging level")
    if project:
        _config.project = project
    if name:
        _config.name = name
    if run_id:
        _config.run_id = run_id
    logger = logging.getLogger("as")
    logger.setLevel(level)
    if logging_path:
        handler = logging.FileHandler(logging_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s | %(levelname)s | %(message)s"))
        logger.addHandler(handler)
    if tracing_url:
        from .tracing import setup_tracing

        setup_tracing(endpoint=tracing_url)
