"""Model calls as training records: what one call saw (``prompt``) and produced (``output``).

``model_calls(record)`` lists a run's model calls in order. ``prompt`` is what the model
received, as OpenAI-style chat messages (``role``, ``content`` text, ``name`` where the
formatter sent one, ``tool_calls`` with JSON-string arguments, ``tool_call_id``): the run's
fold (``ascope_nb.fold``) rebuilds each call's input from the events (the system prompt,
the agent's memory at the call, earlier turns of a follow-up and observed hub messages
included, any extra instruction), and the agent's formatter turns it into the request, so
MsgHub speakers appear in the multi-agent formatter's layout.
``output`` is the assistant ``Msg`` dict the call produced.

``why`` says why a call is not a training target ("" when it is):

- ``partial``: the call was stopped or failed mid-stream (its text is cut);
- ``stopped``: one of its tool calls was interrupted by a stop;
- ``max_iters``: the summary a ReActAgent is told to write after ``max_iters`` steps;
- ``empty``: no text and no tool call;
- ``denied`` / ``edited`` / ``hint`` / ``thumbs_down``: a person corrected it (it is the
  rejected side of a preference pair instead, see ``_pairs``).

The canned "I noticed that you have interrupted me" reply is not a model call at all.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> model_calls(RunRecord(run_id="r1"))
    []
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..feedback import SCORE_THRESHOLD
from ..message._text import parts_text as _text
from ._chat import chat_messages, tool_uses
from ._corrections import corrections_of
from ._record import RunRecord
from ._vendor_layouts import chat_layout
from ._write import AFTER_EXPORT

CLEAN_FAILURES = ("partial", "stopped", "max_iters", "empty")
"""Reasons that make a call unusable even as the chosen side of a pair."""


@dataclass
class CallRecord:
    """One model call of a run: its prompt, its output and whether it is a training target.

    ``prompt`` is built on first use (formatting costs time; formats that need only a
    reply's last call skip the others).
    """

    run_id: str
    agent: str
    reply_id: str
    step: int
    msg_id: str
    output: dict[str, Any]
    why: str = ""
    tools: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list, repr=False)
    formatter: str = ""
    exact: bool = False
    _prompt: list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def prompt(self) -> list[dict[str, Any]]:
        """What the model received, as canonical chat messages."""
        if self._prompt is None:
            formatted = format_messages(self.formatter, self.inputs)
            self._prompt = normalise(chat_layout(formatted))  # Anthropic / Gemini / Responses too
        return self._prompt

    @property
    def kept(self) -> bool:
        """True when the call is a training target."""
        return not self.why

    @property
    def clean(self) -> bool:
        """True when the call ran to its end (it may still have been corrected)."""
        return self.why not in CLEAN_FAILURES


_FORMATTERS: dict[str, Any] = {}


def format_messages(formatter: str, msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``msgs`` (``Msg`` dicts) as the agent's formatter (named ``formatter``) sent them."""
    from .. import formatter as formatters
    from ..message import Msg

    fmt = _FORMATTERS.get(formatter)
    if fmt is None:
        cls = getattr(formatters, formatter, None) if formatter else None
        if not (isinstance(cls, type) and issubclass(cls, formatters.FormatterBase)):
            cls = formatters.OpenAIChatFormatter
        try:
            fmt = cls()
        except TypeError:
            fmt = formatters.OpenAIChatFormatter()
        _FORMATTERS[formatter] = fmt
    objects = [_memo(_MSG_OBJECTS, m, Msg.from_dict) for m in msgs]
    result: list[dict[str, Any]] = _run_sync(lambda: fmt.format(objects))
    return result


_MSG_OBJECTS: dict[int, tuple[Any, Any]] = {}
_CANONICAL: dict[int, tuple[Any, Any]] = {}
_MEMO_LIMIT = 50_000


def _memo(cache: dict[int, tuple[Any, Any]], obj: Any, make: Any) -> Any:
    """``make(obj)``, once per object: the fold shares one dict per message across the
    inputs of a reply's calls, and the formatter reuses its work for the same ``Msg``
    objects (its prefix cache), so a reply's calls cost about one formatting of the reply.
    The cache holds ``obj`` itself, so its id cannot be reused while cached."""
    hit = cache.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    if len(cache) >= _MEMO_LIMIT:
        cache.clear()
    value = make(obj)
    cache[id(obj)] = (obj, value)
    return value


def _run_sync(make: Any) -> Any:
    """The result of ``make()``'s coroutine: driven in place when it never waits (formatters
    only compute), else run on a fresh loop in a worker thread (a notebook's loop is busy)."""
    coro = make()
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def normalise(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Formatter output (or OpenAI messages) as canonical chat messages: text content,
    JSON-string arguments, ``name`` kept where present."""
    return [_memo(_CANONICAL, msg, _canonical) for msg in messages]


def _canonical(msg: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "role": str(msg.get("role", "user")),
        "content": _text(msg.get("content")),
    }
    if msg.get("name"):
        item["name"] = str(msg["name"])
    calls = msg.get("tool_calls")
    if calls:
        fixed = []
        for call in calls:
            fn = call.get("function") or {}
            args = fn.get("arguments", "{}")
            fixed.append(
                {
                    "id": str(call.get("id", "")),
                    "type": "function",
                    "function": {
                        "name": str(fn.get("name", "")),
                        "arguments": args
                        if isinstance(args, str)
                        else json.dumps(args, ensure_ascii=False),
                    },
                }
            )
        item["tool_calls"] = fixed
    if msg.get("tool_call_id") is not None:
        item["tool_call_id"] = str(msg["tool_call_id"])
    return item


def output_message(msg: Mapping[str, Any]) -> dict[str, Any]:
    """The assistant ``Msg`` dict ``msg`` as one canonical chat message (shared: copy it
    before changing it)."""
    result: dict[str, Any] = _memo(_OUTPUTS, msg, _output_message)
    return result


_OUTPUTS: dict[int, tuple[Any, Any]] = {}


def clear_memos() -> None:
    """Forget the per-object memos (at the end of every export: they hold its messages)."""
    for cache in (_MSG_OBJECTS, _CANONICAL, _OUTPUTS):
        cache.clear()
    _FORMATTERS.clear()


AFTER_EXPORT.append(clear_memos)


def _output_message(msg: Mapping[str, Any]) -> dict[str, Any]:
    items = list(chat_messages([msg], args="json"))
    item = items[0] if items else {"role": "assistant", "content": ""}
    if msg.get("name"):
        item["name"] = str(msg["name"])
    return item


def _why_not(
    record: RunRecord,
    msg_id: str,
    error: str | None,
    msg: Mapping[str, Any],
    corrections: Mapping[str, Any],
    last: bool,
) -> str:
    if error is not None:
        return "partial"
    calls = tool_uses(msg)
    if any(
        (c := record.tool_calls.get(str(b.get("id")))) is not None and c.state == "interrupted"
        for b in calls
    ):
        return "stopped"
    reply_id = record.msg_replies.get(msg_id, "")
    if last and record.reply_status.get(reply_id) == "max_iters":
        return "max_iters"
    kinds = corrections.get(msg_id, [])
    for kind in ("denied", "hint", "edited"):
        if kind in kinds:
            return kind
    if not calls and not _text(msg.get("content")):
        return "empty"
    if _thumbs_down(record, record.msg_steps.get(msg_id, -1), reply_id):
        return "thumbs_down"
    return ""


def _thumbs_down(record: RunRecord, step: int, reply_id: str) -> bool:
    for item in record.feedback:
        if item.step != step or (item.reply_id and item.reply_id != reply_id):
            continue
        if item.label == "down" or (
            item.label is None and item.score is not None and item.score < SCORE_THRESHOLD
        ):
            return True
    return False


def model_calls(
    record: RunRecord, *, hint_sources: tuple[str, ...] = ("human",)
) -> list[CallRecord]:
    """Every model call of ``record`` that produced a message, in call order."""
    corrections = corrections_of(record, hint_sources)
    calls = [c for c in record.model_calls if c.output is not None]
    last_of_reply = {c.reply_id: c.msg_id for c in calls}
    out: list[CallRecord] = []
    for call in calls:
        output = call.output or {}
        out.append(
            CallRecord(
                run_id=record.run_id,
                agent=call.agent or str(output.get("name", "")),
                reply_id=call.reply_id,
                step=call.step,
                msg_id=call.msg_id,
                output=output,
                why=_why_not(
                    record,
                    call.msg_id,
                    call.error,
                    output,
                    corrections,
                    last_of_reply[call.reply_id] == call.msg_id,
                ),
                tools=record.tools,
                inputs=call.input,
                formatter=call.formatter,
                exact=call.exact,
            )
        )
    return out


def by_reply(calls: Iterable[CallRecord]) -> Iterator[list[CallRecord]]:
    """The calls grouped by reply, in order of each reply's first call."""
    groups: dict[str, list[CallRecord]] = {}
    for call in calls:
        groups.setdefault(call.reply_id, []).append(call)
    yield from groups.values()


__all__ = ["CallRecord", "model_calls", "by_reply", "normalise", "output_message", "CLEAN_FAILURES"]
