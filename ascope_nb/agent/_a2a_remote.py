"""What a caller shows and sends about a remote A2A agent: where it runs (host and port only,
never credentials), and the decision on a tool call the remote asked to have approved.

A remote ``ascope_nb`` agent whose tool call needs approval streams the ``approval_requested``
event, then waits in the A2A ``input-required`` state. The caller's run asks its own controls
(the same Approve / Deny / Edit buttons as for a local call); the decision goes back as the
next message on that task: a plain text any A2A server understands ("approve", or the reason
of a denial) plus the full decision under ``metadata[DECISION_KEY]`` (edited arguments).

Example:
    >>> remote_origin("http://bob:pw@10.0.0.5:9999/agents?token=abc")
    '10.0.0.5:9999'
    >>> remote_origin("")
    'remote'
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from ._control import ApprovalDecision

DECISION_KEY = "ascope_approval_json"  # message metadata: the caller's decision, as JSON


def remote_origin(url: str) -> str:
    """``host[:port]`` of ``url``: no scheme, user, password, path or query ("remote" if
    there is no host)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:  # a malformed port: show the host alone
        host, port = (urlsplit(url).hostname or ""), None
    if not host:
        return "remote"
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def remote_base_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (what a run records of where its agent was)."""
    scheme = urlsplit(url).scheme or "http"
    origin = remote_origin(url)
    return f"{scheme}://{origin}" if origin != "remote" else ""


def decision_text(decision: ApprovalDecision) -> str:
    """The plain-text answer: "approve", or the reason of a denial."""
    if decision.decision == "denied":
        return decision.reason or "denied"
    return "approve"


def decision_message(decision: ApprovalDecision, *, task_id: str, context_id: str) -> Any:
    """The a2a-sdk 1.x ``Message`` answering the task that waits for approval."""
    from a2a.types import Message, Part, Role

    message = Message(
        message_id=str(uuid.uuid4()),
        role=Role.ROLE_USER,
        parts=[Part(text=decision_text(decision))],
        task_id=task_id,
        context_id=context_id,
    )
    full = {"decision": decision.decision, "input": decision.input, "reason": decision.reason}
    message.metadata.update({DECISION_KEY: json.dumps(full, default=str)})
    return message


def metadata_json(message: Any, key: str) -> Any:
    """The JSON value an A2A ``message`` carries in its metadata under ``key`` (None: none,
    or not JSON).

    Example:
        >>> metadata_json(None, "ascope_decision_json") is None
        True
    """
    if message is None or not message.HasField("metadata"):
        return None
    field = message.metadata.fields.get(key)
    if field is None or not field.string_value:
        return None
    try:
        return json.loads(field.string_value)
    except ValueError:
        return None


def decision_of(message: Any) -> dict[str, Any] | None:
    """The decision a caller put in ``message``'s metadata (None: a plain-text answer)."""
    data = metadata_json(message, DECISION_KEY)
    if not isinstance(data, dict) or data.get("decision") not in ("approved", "edited", "denied"):
        return None
    if not isinstance(data.get("input"), dict):
        data["input"] = {}
    return data


__all__ = [
    "DECISION_KEY",
    "remote_origin",
    "remote_base_url",
    "decision_text",
    "decision_message",
    "decision_of",
]
