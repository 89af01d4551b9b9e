"""Make a conversation end on a turn llama.cpp answers, not one it would continue."""

from __future__ import annotations

from typing import Any


def end_on_user_turn(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold the assistant messages that end ``messages`` into one user message.

    In a ``MsgHub`` an agent's memory ends with what the others said, which the chat
    formatter sends as ``assistant`` messages. llama.cpp reads a trailing assistant message as
    a prefill to continue (and refuses two or more: HTTP 400 "Cannot have 2 or more assistant
    messages at the end of the list"), so those speakers' words become one user turn, each
    line prefixed with the speaker's name. Anything else is returned unchanged.

    Example:
        >>> end_on_user_turn([{"role": "assistant", "name": "P1", "content": "I am the seer."},
        ...                   {"role": "assistant", "name": "P2", "content": "Vote P3."}])
        [{'role': 'user', 'content': 'P1: I am the seer.\\nP2: Vote P3.'}]
    """
    start = len(messages)
    while start > 0 and _is_plain_assistant(messages[start - 1]):
        start -= 1
    if start == len(messages):
        return messages
    lines = [_speaker_line(m) for m in messages[start:]]
    return [*messages[:start], {"role": "user", "content": "\n".join(lines)}]


def _is_plain_assistant(message: dict[str, Any]) -> bool:
    return message.get("role") == "assistant" and not message.get("tool_calls")


def _speaker_line(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        content = "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    text = str(content or "")
    name = message.get("name")
    return f"{name}: {text}" if name else text
