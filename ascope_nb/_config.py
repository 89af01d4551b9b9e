"""Process-wide settings that AgentScope 1.x keeps in ``agentscope._config``.

``trace_enabled`` turns the tracing decorators (``ascope_nb.tracing.trace`` and friends) on;
``setup_tracing`` sets it. While it is False the decorators call straight through and
OpenTelemetry is never imported. ``run_id``, ``project``, ``name`` and ``created_at`` are
context variables (as in AgentScope): ``ascope_nb.init(project=...)`` in a task or a thread
changes them there only.

Example:
    >>> from ascope_nb import _config
    >>> _config.trace_enabled
    False
    >>> isinstance(_config.run_id, str)
    True
"""

from __future__ import annotations

import sys
import types
import uuid
from contextvars import ContextVar
from datetime import datetime

trace_enabled: bool = False
# context variables, read through _ConfigModule (annotations only: no module attribute)
run_id: str
project: str
name: str
created_at: str

_NOW = datetime.now()
_VARS: dict[str, ContextVar[str]] = {
    "run_id": ContextVar("run_id", default=uuid.uuid4().hex[:22]),
    "project": ContextVar("project", default="UnnamedProject_At" + _NOW.strftime("%Y%m%d")),
    "name": ContextVar("name", default=_NOW.strftime("%H%M%S_") + uuid.uuid4().hex[:4]),
    "created_at": ContextVar("created_at", default=_NOW.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]),
}


class _ConfigModule(types.ModuleType):
    """This module, with ``run_id``/``project``/``name``/``created_at`` read from and written
    to their context variables."""

    def __getattr__(self, name: str) -> str:
        var = _VARS.get(name)
        if var is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return var.get()

    def __setattr__(self, name: str, value: object) -> None:
        if name in _VARS:
            _VARS[name].set(str(value))
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ConfigModule
