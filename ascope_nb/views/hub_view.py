"""``HubView``: a MsgHub conversation as a live chat, one colour per agent.

The same event stream, traffic rules and commands as ``RunView``; the browser lays the
steps out as chat bubbles and shows who observed each message.

Example:
    >>> from ascope_nb.events import ReplyStarted, RunEnded
    >>> view = HubView.from_events([ReplyStarted(agent="Alice"), ReplyStarted(agent="Bob"), RunEnded()])
    >>> repr(view)
    "HubView(agents=['Alice', 'Bob'], status='completed', messages=0)"
"""

from __future__ import annotations

from typing import Any

from ._assets import bundle_esm
from .run_view import RunView

HUB_MIME = "application/vnd.ascope.hub+json"


class HubView(RunView):
    """The live view of a multi-agent conversation (``push`` events, as for ``RunView``)."""

    _esm = bundle_esm("hub_view.js")

    def agents(self) -> list[str]:
        """The agents that replied, in order of their first reply."""
        seen: dict[str, None] = {}
        for ev in self._events:
            if ev.get("kind") == "reply_started" and ev.get("agent"):
                seen.setdefault(str(ev["agent"]), None)
        return list(seen)

    def __repr__(self) -> str:
        n_msgs = sum(1 for ev in self._events if ev.get("kind") == "reply_ended")
        return f"HubView(agents={self.agents()!r}, status={self._fold.status!r}, messages={n_msgs})"

    def _saved_outputs(self) -> dict[str, Any]:
        from ._html import hub_html
        from ._saved import saved_run_outputs

        return saved_run_outputs(self.events, title=self._title, mime=HUB_MIME, render=hub_html)


__all__ = ["HubView", "HUB_MIME"]
