"""AgentScope 1.x's ``agentscope._logging``: the shared ``logger`` and ``setup_logger``.

Example:
    >>> from ascope_nb import logger, setup_logger
    >>> setup_logger("WARNING")
    >>> logger.name
    'as'
"""

from __future__ import annotations

import logging

from .exceptions import ConfigError

LEVELS = ("INFO", "DEBUG", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s | %(levelname)-7s | %(module)s:%(funcName)s:%(lineno)s - %(message)s"

logger = logging.getLogger("as")
"""The logger AgentScope programs write to (``from agentscope import logger``)."""


def setup_logger(level: str, filepath: str | None = None) -> None:
    """Log at ``level`` to stderr (and to ``filepath`` when given), replacing earlier handlers.

    Raises:
        ConfigError: ``level`` is not one of INFO, DEBUG, WARNING, ERROR, CRITICAL.
    """
    if level not in LEVELS:
        raise ConfigError(f"logging level {level!r} is not one of {', '.join(LEVELS)}")
    logger.handlers.clear()
    logger.setLevel(level)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if filepath:
        handlers.append(logging.FileHandler(filepath))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
    logger.propagate = False


if not logger.handlers:
    setup_logger("INFO")
