"""Client-side A2A helpers: accept a card in any form, and fold a stream of a2a-sdk 1.x
``StreamResponse`` items (task, status and artifact updates) into the task they describe.

Example:
    >>> tracker = TaskTracker()
    >>> tracker.state
    ''
"""

from __future__ import annotations

from typing import Any

from ..formatter._a2a import sdk_is_v03


def coerce_card(card: Any) -> Any:
    """The installed SDK's ``AgentCard`` for ``card`` (that type, a JSON dict, or an a2a-sdk
    0.3 card from ``a2a.compat.v0_3.types`` under 1.x).

    Raises:
        ValueError: ``card`` is none of these, or does not parse.
    """
    from a2a.types import AgentCard

    if isinstance(card, AgentCard):
        return card
    if sdk_is_v03():
        raise ValueError(f"agent_card must be an instance of AgentCard, got {type(card)}")
    if hasattr(card, "model_dump"):  # an a2a-sdk 0.3 pydantic card
        card = card.model_dump(mode="json", by_alias=True, exclude_none=True)
    if not isinstance(card, dict):
        raise ValueError(f"agent_card must be an instance of AgentCard, got {type(card)}")
    from a2a.client.card_resolver import parse_agent_card

    try:
        return parse_agent_card(dict(card))
    except Exception as exc:
        raise ValueError(f"agent card does not parse: {exc}") from exc


def card_url(card: Any) -> str:
    """The URL the card's first interface (or 0.3 ``url``) points at; "" if none."""
    interfaces = getattr(card, "supported_interfaces", None)
    if interfaces:
        return str(interfaces[0].url)
    return str(getattr(card, "url", "") or "")


def state_name(state: int) -> str:
    """``TASK_STATE_INPUT_REQUIRED`` -> ``"input_required"``."""
    from a2a.types import TaskState

    return TaskState.Name(state).removeprefix("TASK_STATE_").lower()


class TaskTracker:
    """The task as the stream has described it so far (1.x ``StreamResponse`` items)."""

    def __init__(self) -> None:
        self.task_id = ""
        self.context_id = ""
        self.state = ""
        self._status: Any = None
        self._artifacts: dict[str, Any] = {}

    def apply(self, item: Any) -> Any:
        """Take one item; returns the status update when it is a working step to show."""
        payload = item.WhichOneof("payload")
        if payload == "task":
            task = item.task
            self._ids(task.id, task.context_id)
            self._set_status(task.status)
            for artifact in task.artifacts:
                self._artifacts[artifact.artifact_id] = artifact
        elif payload == "status_update":
            update = item.status_update
            self._ids(update.task_id, update.context_id)
            self._set_status(update.status)
            if self.state == "working" or "ascope_events_json" in update.metadata.fields:
                return update  # a step to show (an ascope_nb server also ends with events)
        elif payload == "artifact_update":
            update = item.artifact_update
            self._ids(update.task_id, update.context_id)
            self._merge(update.artifact, append=update.append)
        return None

    def _ids(self, task_id: str, context_id: str) -> None:
        self.task_id = task_id or self.task_id
        self.context_id = context_id or self.context_id

    def _set_status(self, status: Any) -> None:
        self.state = state_name(status.state)
        if self.state != "working":
            self._status = status

    def _merge(self, artifact: Any, *, append: bool) -> None:
        from a2a.types import Artifact

        known = self._artifacts.get(artifact.artifact_id)
        if append and known is not None:
            known.parts.extend(artifact.parts)
            return
        copy = Artifact()
        copy.CopyFrom(artifact)
        self._artifacts[artifact.artifact_id] = copy

    def status_text(self) -> str:
        """The text parts of the last non-working status message."""
        if self._status is None or not self._status.HasField("message"):
            return ""
        return " ".join(p.text for p in self._status.message.parts if p.text).strip()

    def final_task(self) -> Any:
        """A ``Task`` with the last non-working status and the artifacts."""
        from a2a.types import Task, TaskStatus

        task = Task(id=self.task_id, context_id=self.context_id)
        if self._status is not None:
            task.status.CopyFrom(self._status)
        else:
            task.status.CopyFrom(TaskStatus())
        task.artifacts.extend(self._artifacts.values())
        return task


__all__ = ["TaskTracker", "coerce_card", "card_url", "state_name"]
