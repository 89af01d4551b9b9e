"""One record per reply for the chat formats that hold a whole conversation.

A reply's record is what its last usable model call saw plus what it produced; the reply's
earlier calls appear inside that prompt. ``weighted`` marks each assistant message as a
target (1) or not (0: corrected, or context from earlier turns and other speakers);
``cut`` instead stops the reply before its first call that is not a target, for formats
without weights (everything kept is then a target).

Example:
    >>> list(weighted([]))
    []
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ._calls import CallRecord, by_reply, output_message


def _signature(msg: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    calls = msg.get("tool_calls") or ()
    return str(msg.get("content") or ""), tuple(str(c.get("id", "")) for c in calls)


def _conversation(call: CallRecord) -> list[dict[str, Any]]:
    return [*call.prompt, output_message(call.output)]


def weighted(
    calls: Iterable[CallRecord],
) -> Iterator[tuple[CallRecord, list[dict[str, Any]], list[int | None]]]:
    """Per reply: (last clean call, its conversation, a weight per message, None for
    non-assistant messages). Replies without any target are left out."""
    for group in by_reply(calls):
        ended = [c for c in group if c.clean]
        if not ended:
            continue
        last = ended[-1]
        targets = {_signature(output_message(c.output)): c.kept for c in group}
        messages = _conversation(last)
        weights: list[int | None] = []
        for msg in messages:
            if msg.get("role") != "assistant":
                weights.append(None)
            else:
                weights.append(1 if targets.get(_signature(msg), False) else 0)
        if 1 in weights:
            yield last, messages, weights


def cut(calls: Iterable[CallRecord]) -> Iterator[tuple[CallRecord, list[dict[str, Any]]]]:
    """Per reply: the conversation up to the last target before the first non-target call."""
    for group in by_reply(calls):
        last = None
        for call in group:
            if not call.kept:
                break
            last = call
        if last is not None and last.prompt:
            yield last, _conversation(last)


__all__ = ["weighted", "cut"]
