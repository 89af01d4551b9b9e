"""Read and check a training file before any training: each problem is one line naming it.

The files are the JSONL ``ascope_nb.export`` writes for TRL: ``trl-sft`` rows
(``prompt``/``completion``, or ``messages``), ``trl-dpo`` rows (``prompt``/``chosen``/
``rejected``) and ``trl-kto`` rows (``prompt``/``completion``/``label``). Checked: the file
is readable UTF-8 JSON lines, it has samples, each sample has the keys of the method, and
each trained answer has an assistant message with content or a tool call.

Example:
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "dpo.jsonl"
    >>> _ = path.write_text(json.dumps({"prompt": [], "chosen": [], "rejected": []}) + "\\n")
    >>> try:
    ...     read_samples(path, method="sft")
    ... except TrainDataError as err:
    ...     print(str(err).split(": ", 1)[1])
    line 1: a DPO sample (chosen/rejected) given to method 'sft'; export it with format 'trl-sft'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

_KEYS = {
    "sft": (("prompt", "completion"), ("messages",)),
    "dpo": (("prompt", "chosen", "rejected"),),
    "kto": (("prompt", "completion", "label"),),
}
ANSWER_KEYS = {"sft": ("completion",), "dpo": ("chosen", "rejected"), "kto": ("completion",)}
"""The trained answers of a sample, per method."""
_EXPORT_FORMAT = {"sft": "trl-sft", "dpo": "trl-dpo", "kto": "trl-kto"}


class TrainDataError(ConfigError):
    """A training file that cannot be trained on (one line naming the file and the sample)."""


def read_samples(path: Path, *, method: str) -> list[dict[str, Any]]:
    """The samples of ``path`` for ``method`` (``sft``, ``dpo`` or ``kto``), all checked.

    Raises ``TrainDataError`` (a ``ValueError``) on the first problem, naming the file and
    the line: unreadable, not JSON, empty, the wrong format for the method, or a trained
    answer without an assistant message.
    """
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrainDataError(f"{where}: no such dataset file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainDataError(f"{where}: cannot be read ({type(exc).__name__}: {exc})") from None
    samples: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TrainDataError(f"{where}: line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise TrainDataError(
                f"{where}: line {number}: a sample is a JSON object, got {type(row).__name__}"
            )
        check_sample(row, method=method, where=f"{where}: line {number}")
        samples.append(row)
    if not samples:
        raise TrainDataError(f"{where}: empty dataset (no samples to train on)")
    return samples


def check_sample(row: dict[str, Any], *, method: str, where: str) -> None:
    """Raise ``TrainDataError`` (``where: what``) unless ``row`` is a ``method`` sample."""
    if method not in _KEYS:
        raise TrainDataError(f"{where}: unknown method {method!r} (sft, dpo or kto)")
    shapes = _KEYS[method]
    if not any(all(key in row for key in shape) for shape in shapes):
        found = _looks_like(row)
        hint = f"; export it with format {_EXPORT_FORMAT[method]!r}"
        if found is not None and found != method:
            raise TrainDataError(
                f"{where}: a {found.upper()} sample ({_describe(found)}) given to method "
                f"{method!r}{hint}"
            )
        wanted = " or ".join("/".join(shape) for shape in shapes)
        missing = [k for k in shapes[0] if k not in row]
        raise TrainDataError(
            f"{where}: method {method!r} needs {wanted}; missing {', '.join(missing)} "
            f"(the sample has {', '.join(sorted(row)) or 'no keys'}){hint}"
        )
    if "messages" in row and "prompt" not in row:
        messages = _messages(row["messages"], where=where, key="messages")
        if not messages or not _has_assistant_tokens(messages[-1:]):
            raise TrainDataError(f"{where}: no assistant tokens (messages ends without an answer)")
        return
    _messages(row["prompt"], where=where, key="prompt")
    for key in ("completion", "chosen", "rejected"):
        if key in row and not _has_assistant_tokens(_messages(row[key], where=where, key=key)):
            raise TrainDataError(
                f"{where}: no assistant tokens in {key!r} (an assistant message with content "
                "or a tool call)"
            )
    if method == "kto" and not isinstance(row["label"], bool):
        raise TrainDataError(f"{where}: 'label' must be true or false, got {row['label']!r}")


def _messages(value: Any, *, where: str, key: str) -> list[dict[str, Any]]:
    if isinstance(value, str):  # a standard (not conversational) row: the text itself
        return [{"role": "assistant", "content": value}]
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise TrainDataError(f"{where}: {key!r} must be a list of messages")
    for message in value:
        if "role" not in message:
            raise TrainDataError(f"{where}: a message in {key!r} has no 'role'")
    return value


def _has_assistant_tokens(messages: list[dict[str, Any]]) -> bool:
    for message in messages:
        if message.get("role") != "assistant":
            continue
        content = message.get("content")
        if (isinstance(content, str) and content.strip()) or message.get("tool_calls"):
            return True
        if isinstance(content, list) and any(
            isinstance(b, dict) and str(b.get("text", "")).strip() for b in content
        ):
            return True
    return False


def _looks_like(row: dict[str, Any]) -> str | None:
    for method, shapes in _KEYS.items():
        if any(all(key in row for key in shape) for shape in shapes):
            if method == "sft" and "label" in row:
                return "kto"
            return method
    if "chosen" in row or "rejected" in row:
        return "dpo"
    return None


def _describe(method: str) -> str:
    return {"sft": "prompt/completion", "dpo": "chosen/rejected", "kto": "completion/label"}[method]


def render_lengths(
    row: dict[str, Any], tokenizer: Any, *, key: str = "completion"
) -> tuple[int, int]:
    """Token counts of the prompt and of prompt + ``key`` as the chat template renders them."""
    from ._chat_text import rendered_row

    text = rendered_row(row, tokenizer, keys=(key,))
    head, answer = text["prompt"], text[key]
    encode = tokenizer(head, add_special_tokens=False)["input_ids"]
    whole = tokenizer(head + answer, add_special_tokens=False)["input_ids"]
    return len(encode), len(whole)


def check_tokens(samples: list[dict[str, Any]], tokenizer: Any, *, method: str, where: str) -> None:
    """Each trained answer renders to at least one token after its prompt (else one line)."""
    keys = ANSWER_KEYS[method]
    for number, row in enumerate(samples, start=1):
        for key in keys:
            head, whole = render_lengths(row, tokenizer, key=key)
            if whole <= head:
                raise TrainDataError(
                    f"{where}: sample {number}: no assistant tokens in {key!r} after the chat "
                    "template (the answer renders to nothing)"
                )
