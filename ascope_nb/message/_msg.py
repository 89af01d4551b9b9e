"""The message exchanged between agents: AgentScope 1.x's ``Msg``."""

from __future__ import annotations

import copy
from typing import Any, Literal

from .._ids import new_id
from .._ids import timestamp as timestamp_now
from ._blocks import ContentBlock, ContentBlockTypes

Role = Literal["user", "assistant", "system"]
_ROLES = ("user", "assistant", "system")


_ATOMS = (str, int, float, bool, type(None))
_ATOM_TYPES = frozenset(_ATOMS)


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, atoms); several times faster than
    ``copy.deepcopy`` for message content. Other objects fall back to ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _ATOM_TYPES else copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOM_TYPES else copy_json(v) for v in value]
    if kind in _ATOM_TYPES or isinstance(value, _ATOMS):
        return value
    if isinstance(value, dict):
        return {k: v if isinstance(v, _ATOMS) else copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if isinstance(v, _ATOMS) else copy_json(v) for v in value]
    return copy.deepcopy(value)


class Msg:
    """A message: who said it, in which role, and what (a string or content blocks).

    Example:
        >>> msg = Msg("user", "What is 2 + 2?", "user")
        >>> Msg.from_dict(msg.to_dict()).to_dict() == msg.to_dict()
        True
    """

    __slots__ = ("id", "name", "content", "role", "metadata", "timestamp", "invocation_id")

    def __init__(
        self,
        name: str,
        content: str | list[ContentBlock],
        role: Role,
        metadata: dict[str, Any] | None = None,
        timestamp: str | None = None,
        invocation_id: str | None = None,
    ) -> None:
        if role not in _ROLES:
            raise ValueError(f"Msg role must be one of {_ROLES}, got {role!r}")
        if not isinstance(content, (str, list)):
            raise TypeError(
                f"Msg content must be a str or a list of blocks, got {type(content).__name__}"
            )
        self.id: str = new_id()
        self.name = name
        self.content = content
        self.role: Role = role
        self.metadata: dict[str, Any] = metadata if metadata is not None else {}
        self.timestamp: str = timestamp or timestamp_now()
        self.invocation_id = invocation_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict; ``Msg.from_dict`` restores it exactly (id and timestamp too)."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "content": copy_json(self.content),
            "metadata": copy_json(self.metadata),
            "timestamp": self.timestamp,
        }

    @classmethod
    def from_dict(cls, json_data: dict[str, Any]) -> Msg:
        """Rebuild a message from ``to_dict()`` output."""
        msg = cls(
            name=json_data["name"],
            content=copy_json(json_data["content"]),
            role=json_data["role"],
            metadata=copy_json(json_data.get("metadata") or {}),
            timestamp=json_data.get("timestamp"),
        )
        if "id" in json_data:
            msg.id = json_data["id"]
        return msg

    def has_content_blocks(self, block_type: ContentBlockTypes | None = None) -> bool:
        """Whether the message has blocks (of ``block_type``, if given)."""
        return len(self.get_content_blocks(block_type)) > 0

    def get_text_content(self, separator: str = "\n") -> str | None:
        """The text of the message: the string content, or its text blocks joined; None if none."""
        if isinstance(self.content, str):
            return self.content
        texts = [b["text"] for b in self.content if b.get("type") == "text"]  # type: ignore[typeddict-item]
        return separator.join(texts) if texts else None

    def get_content_blocks(
        self, block_type: ContentBlockTypes | list[ContentBlockTypes] | None = None
    ) -> list[Any]:
        """The content as blocks, of one type or of a list of types (AgentScope 1.x); a
        string content counts as one text block."""
        blocks: list[Any] = (
            [{"type": "text", "text": self.content}]
            if isinstance(self.content, str)
            else list(self.content)
        )
        if block_type is None:
            return blocks
        if isinstance(block_type, list):
            return [b for b in blocks if b.get("type") in block_type]
        return [b for b in blocks if b.get("type") == block_type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        """The message, secrets redacted (``await run`` as a cell's last line shows it).

        Example:
            >>> Msg("Friday", "key sk-abcdefghijklmnopqrstuvwx1234", "assistant")  # doctest: +ELLIPSIS
            Msg(id=..., name='Friday', content='key [REDACTED]', ...)
        """
        from ..redact import redact_keys

        content, metadata = redact_keys(self.content), redact_keys(self.metadata)
        return (
            f"Msg(id={self.id!r}, name={self.name!r}, content={content!r}, "
            f"role={self.role!r}, metadata={metadata!r}, timestamp={self.timestamp!r})"
        )
