"""Steering a remote A2A agent: guidance, Pause, Step and Resume sent to the remote task.

An ``ascope_nb`` server says in its card that it takes them (the card's capability
extension ``STEERING_EXTENSION``). The caller's ``RemoteControl`` then sends each request as
an A2A message on the task's context (a new message, not on the task itself: a2a-sdk runs the
messages of one task one after another, and the task is busy streaming) with the request
under ``metadata[CONTROL_KEY]``; the server hands it to its run (``run.steer``, ``pause``,
``step``, ``resume``), as a local button would. A request made while no remote task runs goes
with the next request. A plain A2A server (no extension) takes none of them: they raise one
line naming the remote, never a silent drop.

Example:
    >>> control = RemoteControl(where="'Echo' at 10.0.0.5:9999", takes_control=False)
    >>> control.refusal.startswith("the remote A2A agent 'Echo' at 10.0.0.5:9999")
    True
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from ..exceptions import ConfigError
from ._a2a_remote import metadata_json
from ._control import AgentControl

STEERING_EXTENSION = "urn:ascope-nb:a2a:steering:v1"  # in the card: this server takes them
CONTROL_KEY = "ascope_control_json"  # message metadata: the requests, as JSON
ACK_KEY = "ascope_control_ack"  # the server's answer: "ok" or "not_running"
ACTIONS = ("steer", "pause", "step", "resume")

Send = Callable[[list[dict[str, Any]], str, str], Awaitable[bool]]
_log = logging.getLogger("ascope_nb.a2a")


def takes_control(card: Any) -> bool:
    """Whether the server of ``card`` declares the steering extension (an ascope_nb server)."""
    capabilities = getattr(card, "capabilities", None)
    for extension in getattr(capabilities, "extensions", None) or ():
        if getattr(extension, "uri", "") == STEERING_EXTENSION:
            return True
    return False


class RemoteControl(AgentControl):
    """The controls of an ``A2AAgent``: approvals are decided here (see ``A2AAgent``); guidance,
    Pause, Step and Resume go to the remote task (or raise ``ConfigError`` naming the remote
    when its server cannot take them)."""

    def __init__(
        self, *, where: str, takes_control: bool, why: str = "its server is not an ascope_nb server"
    ) -> None:
        super().__init__()
        self.where = where  # "'Friday' at 127.0.0.1:9999": names the remote in messages
        self.takes_control = takes_control
        self.why = why  # why it cannot take them (when it cannot)
        self._outbox: list[dict[str, Any]] = []  # requests not yet delivered, oldest first
        self._task: tuple[str, str] | None = None  # (task id, context id) of the live task
        self._send: Send | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._remote_paused = False

    @property
    def refusal(self) -> str:
        if self.takes_control:
            return ""
        return (
            f"the remote A2A agent {self.where} takes no guidance, Pause or Step ({self.why}); "
            "Stop still cancels its task"
        )

    def _refuse(self) -> None:
        if self.refusal:
            raise ConfigError(self.refusal)

    # the requests -----------------------------------------------------------------
    def steer(self, text: str, *, source: Literal["human", "system"] = "human") -> None:
        """Send guidance to the remote agent (before its next reasoning step)."""
        if not isinstance(text, str) or not text.strip():
            raise ConfigError("steering text must be a non-empty string")
        self._refuse()
        self._request({"action": "steer", "text": text, "source": source})

    def pause(self) -> None:
        """Hold the remote agent before its next step."""
        self._refuse()
        self._paused = True
        self._request({"action": "pause"})

    def step(self) -> None:
        """While the remote is held, let it run one more step."""
        self._refuse()
        self._paused = True
        self._request({"action": "step"})

    def resume(self) -> None:
        """Let the remote run freely again."""
        self._refuse()
        self._paused = False
        self._request({"action": "resume"})

    def take_hints(self) -> list[tuple[str, Literal["human", "system"]]]:
        return []  # guidance goes to the remote agent, never into a local step

    def _request(self, action: dict[str, Any]) -> None:
        self._outbox.append(action)
        self._kick()

    # delivery ---------------------------------------------------------------------
    def take_pending(self) -> list[dict[str, Any]]:
        """The requests made while no remote task ran: they go with the next request."""
        pending, self._outbox = self._outbox, []
        return pending

    def requeue(self, actions: list[dict[str, Any]]) -> None:
        """Requests that did not reach the remote: first in line again."""
        self._outbox[:0] = actions

    def attach(self, task_id: str, context_id: str, send: Send) -> None:
        """A remote task runs: requests go to it through ``send`` from now on."""
        if self._task == (task_id, context_id):
            return
        self._task, self._send = (task_id, context_id), send
        self._kick()

    def detach(self) -> None:
        """The remote task ended (or waits for our input no more): requests wait again."""
        self._task = None
        self._remote_paused = False

    async def flush(self) -> None:
        """Wait until the requests made so far were sent (delivered, or kept for the next
        request when the remote task had ended)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    def _kick(self) -> None:
        if self._task is None or not self._outbox:
            return
        if self._flusher is not None and not self._flusher.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: the requests go with the next request
            return
        self._flusher = loop.create_task(self._deliver())

    async def _deliver(self) -> None:
        while self._outbox and self._task is not None and self._send is not None:
            batch, self._outbox = self._outbox, []
            task_id, context_id = self._task
            try:
                delivered = await self._send(batch, task_id, context_id)
            except Exception as exc:  # kept: they go with the next request
                _log.warning("%s: guidance not delivered yet (%s)", self.where, exc)
                delivered = False
            if not delivered:
                self.requeue(batch)
                return

    def shows_status(self, status: str) -> bool:
        """Whether a status the remote reported is shown here: its pause and the run after
        it (its approval states are this side's own)."""
        if status == "paused":
            self._remote_paused = True
            return True
        if status == "running" and self._remote_paused:
            self._remote_paused = False
            return True
        return False


def control_metadata(actions: list[dict[str, Any]], *, task_id: str = "") -> dict[str, str]:
    """The metadata carrying ``actions`` (for the task ``task_id``; "" : the new request's)."""
    return {CONTROL_KEY: json.dumps({"task_id": task_id, "actions": actions})}


def control_message(actions: list[dict[str, Any]], *, task_id: str, context_id: str) -> Any:
    """The a2a-sdk 1.x ``Message`` asking the server to apply ``actions`` to ``task_id``."""
    from a2a.types import Message, Part, Role

    said = "; ".join(
        f"{a['action']}: {a['text']}" if a.get("text") else str(a["action"]) for a in actions
    )
    message = Message(
        message_id=str(uuid.uuid4()),
        role=Role.ROLE_USER,
        parts=[Part(text=said)],
        context_id=context_id,
    )
    message.metadata.update(control_metadata(actions, task_id=task_id))
    return message


def control_of(message: Any) -> dict[str, Any] | None:
    """The requests in ``message``'s metadata: ``{"task_id", "actions"}`` (None: none)."""
    data = metadata_json(message, CONTROL_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
        return None
    actions = [a for a in data["actions"] if isinstance(a, dict) and a.get("action") in ACTIONS]
    actions = [a for a in actions if a["action"] != "steer" or str(a.get("text", "")).strip()]
    return {"task_id": str(data.get("task_id") or ""), "actions": actions}


def apply_actions(run: Any, actions: list[dict[str, Any]]) -> None:
    """Apply a caller's requests to the served ``run`` (as its buttons would)."""
    for action in actions:
        name = action["action"]
        if name == "steer":
            run.steer(str(action["text"]))
        elif name == "pause":
            run.pause()
        elif name == "step":
            run.step()
        else:
            run.resume()


__all__ = [
    "STEERING_EXTENSION",
    "CONTROL_KEY",
    "ACK_KEY",
    "RemoteControl",
    "takes_control",
    "control_metadata",
    "control_message",
    "control_of",
    "apply_actions",
]
