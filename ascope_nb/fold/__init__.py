"""One fold of a run's events: every view of a run is rebuilt from it.

``RunFold`` takes the events (``Event`` objects or their wire dicts) one at a time, O(1)
amortised each, and answers on demand: the ReAct steps with tool calls, decisions, hints and
results (live view, HTML transcript), the returned ``Msg`` of each reply, the exact messages
of each model call, an agent's memory at any step, the run's messages in memory order
(exporters) and the run summary. ``static/fold.js`` is its browser twin; both are tested
on the golden fixtures under ``tests/fixtures/fold/``.

Example:
    >>> from ascope_nb.events import MessageCompleted, ReplyEnded, TextDelta
    >>> events = [
    ...     TextDelta(msg_id="m1", block_id="m1:0", delta="Hel"),
    ...     TextDelta(msg_id="m1", block_id="m1:0", delta="lo"),
    ...     MessageCompleted(msg={"id": "m1", "name": "Friday", "role": "assistant",
    ...                           "content": [], "metadata": {}, "timestamp": "t"}),
    ...     ReplyEnded(msg_id="m1"),
    ... ]
    >>> fold_reply(events).get_text_content()
    'Hello'
"""

from __future__ import annotations

from ._run import ModelCallRecord, RunFold, fold_messages, fold_reply
from ._timeline import StepRecord, ToolCallRecord, block_text

__all__ = [
    "RunFold",
    "ModelCallRecord",
    "StepRecord",
    "ToolCallRecord",
    "block_text",
    "fold_messages",
    "fold_reply",
]
