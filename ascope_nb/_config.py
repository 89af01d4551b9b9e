"""Process-wide switches that AgentScope 1.x keeps in ``agentscope._config``.

``trace_enabled`` turns the tracing decorators (``ascope_nb.tracing.trace`` and friends) on;
``setup_tracing`` sets it. While it is False the decorators call straight through and
OpenTelemetry is never imported.

Example:
    >>> from ascope_nb import _config
    >>> _config.trace_enabled
    False
"""

from __future__ import annotations

trace_enabled: bool = False
