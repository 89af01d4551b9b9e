"""``RunView``: the live widget of one run (ReAct steps streamed as they happen).

Traffic: events go to the browser in delta-merged batches, at most ~30 messages a second
(``_coalesce``); the step-level summary (status, step, pending approvals, tokens, elapsed)
is in synced traits, updated under ``hold_sync`` once per batch. A view rendered later
asks for ``{"cmd": "snapshot"}`` and gets the whole (delta-merged) event list.

Messages to the browser: ``{"type": "events", "events": [...]}``, ``{"type": "snapshot",
"nonce": ..., "events": [...], "done": bool}`` (chunked) and ``{"type": "notice", "text":
...}``. Commands from the browser: see ``_commands``.

Example:
    >>> from ascope_nb.events import RunStarted, RunEnded
    >>> view = RunView.from_events([RunStarted(agent="Friday"), RunEnded(agent="Friday")])
    >>> repr(view)
    "RunView(agent='Friday', status='completed', steps=0)"
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets as t

from .. import hooks
from ..events import Event
from ._assets import bundle_esm, read_static
from ._coalesce import Coalescer, merge_delta
from ._commands import dispatch, parse_command
from ._controller import RunController
from ._fold import RunFold
from ._saved import saved_run_outputs, text_summary

if TYPE_CHECKING:
    from IPython.display import DisplayHandle

_log = logging.getLogger("ascope_nb.notebook")

RUN_MIME = "application/vnd.ascope.run+json"
SNAPSHOT_CHUNK = 5000


def to_wire(event: Event | dict[str, Any]) -> dict[str, Any]:
    """An event as its wire dict (``Event.to_dict()``); dicts pass through."""
    return event.to_dict() if isinstance(event, Event) else dict(event)


def _reaches_frontend(comm: Any) -> bool:
    """Whether ipywidgets will really send on this comm (not the no-kernel ``DummyComm``)."""
    from comm import DummyComm

    if comm is None or type(comm) is DummyComm:
        return False
    return getattr(comm, "kernel", True) is not None


class RunView(anywidget.AnyWidget):
    """The live view of one run; ``push`` events into it, buttons drive ``controller``.

    Args:
        controller: what the buttons call (a ``RunController``); None for a read-only view.
        title: a short label shown in the header.
        events: events already emitted (``Event`` objects or wire dicts).
    """

    messages_sent: int = 0  # comm messages sent (custom + state), for benchmarks
    _esm = bundle_esm("run_view.js")
    _css = read_static("ascope.css")

    status = t.Unicode("idle").tag(sync=True)
    agent = t.Unicode("").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    step = t.Int(-1).tag(sync=True)
    n_steps = t.Int(0).tag(sync=True)
    pending_approvals = t.List(t.Dict()).tag(sync=True)
    pending_input = t.Dict(allow_none=True, default_value=None).tag(sync=True)
    tokens = t.Dict().tag(sync=True)
    started = t.Float(allow_none=True, default_value=None).tag(sync=True)
    elapsed = t.Float(0.0).tag(sync=True)
    error = t.Unicode(allow_none=True, default_value=None).tag(sync=True)
    live = t.Bool(False).tag(sync=True)
    interactive = t.Bool(False).tag(sync=True)
    trace_id = t.Unicode("").tag(sync=True)  # OpenTelemetry trace id, when tracing is on
    forkable = t.Bool(False).tag(sync=True)  # steps show "Fork from here" (a Run's view)

    def __init__(
        self,
        *,
        controller: RunController | None = None,
        title: str = "",
        events: Iterable[Event | dict[str, Any]] = (),
    ) -> None:
        super().__init__()
        self.controller = controller
        self._title = title
        self._events: list[dict[str, Any]] = []
        self._fold = RunFold()
        self._display: DisplayHandle | None = None
        self._coalescer = Coalescer(self._send_batch)
        self._forks: list[Any] = []  # the runs started by "Fork from here"
        self.forkable = callable(getattr(controller, "fork", None)) and (
            getattr(controller, "kind", "agent") == "agent"
        )
        for event in events:
            wire = to_wire(event)
            merge_delta(self._events, wire)
            self._fold.add(wire)
        self._sync_summary()

    # ------------------------------------------------------------------ input side
    @classmethod
    def from_events(cls, events: Iterable[Event | dict[str, Any]], *, title: str = "") -> RunView:
        """A read-only view of a stored run (its events, as objects or wire dicts)."""
        return cls(title=title, events=events)

    def push(self, event: Event | dict[str, Any]) -> None:
        """Add one event (called from the agent's event stream, on the kernel's loop)."""
        wire = to_wire(event)
        merge_delta(self._events, wire)
        self._fold.add(wire)
        self._coalescer.push(wire)

    __call__ = push  # a view is itself a subscriber: ``run.subscribe(view)``

    def flush(self) -> None:
        """Send pending events now."""
        self._coalescer.flush()

    @property
    def events(self) -> list[dict[str, Any]]:
        """The run's events so far as wire dicts (consecutive deltas of a block merged)."""
        return list(self._events)

    @property
    def ended(self) -> bool:
        """Whether a ``run_ended`` event was seen."""
        return not self._fold.live

    # ------------------------------------------------------------------ output side
    def _send(self, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        if _reaches_frontend(self.comm):
            self.messages_sent += 1
        super()._send(msg, buffers)

    def _send_batch(self, batch: list[dict[str, Any]]) -> None:
        self.send({"type": "events", "events": batch})
        self._sync_summary()
        ended = any(e.get("kind") == "run_ended" for e in batch)
        if self._display is not None and ended and not self._forks:  # forks stay shown
            # The ended run's output becomes kernel-free: its events (rendered by the lab
            # extension with the same renderer) and an HTML transcript. The widget view is
            # left out on purpose: JupyterLab prefers it when a saved notebook is reopened and
            # would show "model not found" instead of the transcript.
            self._display.update({"text/plain": self._text(), **self._saved_outputs()}, raw=True)

    def _sync_summary(self) -> None:
        s = self._fold.summary()
        with self.hold_sync():
            self.status = s["status"]
            self.agent = s["agent"]
            self.title = self._title or s["title"]
            self.step = s["step"]
            self.n_steps = s["n_steps"]
            self.pending_approvals = s["pending_approvals"]
            self.pending_input = s["pending_input"]
            self.tokens = s["tokens"]
            self.started = s["started"]
            self.elapsed = s["elapsed"]
            self.error = s["error"]
            self.live = bool(s["live"]) and self.controller is not None
            self.interactive = self.controller is not None
            self.trace_id = self._trace_id()

    def _trace_id(self) -> str:
        """The run's trace id if ``ascope_nb.tracing`` traced it (never imports tracing)."""
        run_id = str(getattr(self.controller, "run_id", "") or "")
        if not run_id and self._events:
            run_id = str(self._events[0].get("run_id", ""))
        return (hooks.trace_id_of(run_id) or "") if run_id else ""

    def _send_snapshot(self, nonce: str) -> None:
        self._coalescer.flush()  # everything sent before the snapshot is inside it
        # speech audio is played live only: a later view gets each speech's whole-audio
        # message instead (a long conversation's chunks would exceed a comm message)
        events = [e for e in self._events if e.get("kind") != "speech_chunk"]
        chunks = range(0, max(len(events), 1), SNAPSHOT_CHUNK)
        for start in chunks:
            self.send(
                {
                    "type": "snapshot",
                    "nonce": nonce,
                    "first": start == 0,
                    "done": start + SNAPSHOT_CHUNK >= len(events),
                    "events": events[start : start + SNAPSHOT_CHUNK],
                }
            )

    def _handle_custom_msg(self, content: Any, buffers: Any) -> None:
        cmd = parse_command(content)
        if cmd is None:
            return
        if cmd["cmd"] == "snapshot":
            self._send_snapshot(str(cmd.get("nonce", "")))
            return
        if self.controller is None:
            self.send({"type": "notice", "text": f"{cmd['cmd']}: this run is not live"})
            return
        try:
            if cmd["cmd"] == "fork":
                self._start_fork(cmd["step"], cmd.get("edit"))  # type: ignore[typeddict-item]
            else:
                dispatch(self.controller, cmd)
        except Exception as exc:  # a failing button must not kill the comm
            _log.warning("ascope view: %s failed: %s", cmd["cmd"], exc)
            self.send({"type": "notice", "text": f"{cmd['cmd']} failed: {exc}"})

    def _start_fork(self, step: int, edit: Any) -> None:
        """ "Fork from here": start ``controller.fork(step, edit=edit)`` and stream the new
        run's events to this view, which draws them below the run."""
        fork = getattr(self.controller, "fork", None)
        if not callable(fork):
            raise ValueError("this run cannot be forked")
        new = fork(step, edit=edit)
        self._forks.append(new)
        fork_id = new.run_id
        self.send({"type": "fork", "fork_id": fork_id, "step": step, "title": new.title})
        batcher = Coalescer(
            lambda batch: self.send({"type": "fork_events", "fork_id": fork_id, "events": batch})
        )
        new.subscribe(lambda event: batcher.push(to_wire(event)))

    def close(self) -> None:
        """Close the comm; pending events stay in ``events`` (nothing more is sent)."""
        self._coalescer.cancel()
        super().close()

    def display(self) -> RunView:
        """Show the live view with a display id; when the run ends the output is replaced by
        the run's events and an HTML transcript, which saved notebooks show without a kernel
        (feedback after the end: ``run.feedback(...)`` or the ``%runs`` table)."""
        from IPython.display import display

        self._display = display(self, display_id=True)
        return self

    # ------------------------------------------------------------------ reprs
    def __repr__(self) -> str:
        s = self._fold
        return f"RunView(agent={s.agent!r}, status={s.status!r}, steps={s.n_steps})"

    def _text(self) -> str:
        """The ``text/plain`` fallback a frontend without the renderers shows."""
        s = self._fold
        return text_summary(agent=s.agent, title=self._title, status=s.status, steps=s.n_steps)

    def _saved_outputs(self) -> dict[str, Any]:
        """The kernel-free outputs of an ended run: its events and an HTML transcript
        (bounded: a long run keeps its first and last steps; the store has all of it;
        redacted)."""
        return saved_run_outputs(self.events, title=self._title, mime=RUN_MIME)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        if self.ended:
            # An ended run is shown kernel-free (its events for the lab extension's renderer,
            # an HTML transcript elsewhere): a widget output would show "model not found"
            # when the saved notebook is reopened, hiding the transcript.
            return {"text/plain": self._text(), **self._saved_outputs()}, {}
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if bundle is not None else ({}, {})
        data["text/plain"] = self._text()
        return data, metadata


class JsonReply:
    """A value shown as ``application/json`` (what a kernel ``user_expressions`` reply carries)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _repr_json_(self) -> dict[str, Any]:
        return self.data


def rate_stored_run(run_id: str, *, label: str | None = None, comment: str = "") -> JsonReply:
    """Store a person's feedback on an ended run of the default store.

    What the thumbs of a saved run's view call through the notebook's kernel (the JupyterLab
    extension evaluates it as a ``user_expressions`` entry); returns the stored event and the
    run's new HTML transcript, so the saved output shows the feedback without a kernel.

    Example:
        >>> rate_stored_run("run_1", label="up", comment="clear")  # doctest: +SKIP
    """
    from ..store import default_store
    from ._html import run_html

    store = default_store()
    event = store.add_feedback(run_id, label=label, comment=comment)
    events = [to_wire(e) for e in store.events(run_id)]
    return JsonReply({"event": event.to_dict(), "html": run_html(events)})


__all__ = ["RunView", "RUN_MIME", "to_wire", "rate_stored_run"]
