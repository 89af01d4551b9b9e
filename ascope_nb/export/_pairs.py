"""Human steering as training signal: preference pairs, KTO labels and assistant weights.

Rules (one place, used by the OpenAI DPO, TRL DPO / KTO and Trinity exporters):

- **edited** tool call: rejected = the assistant message with the model's original input;
  chosen = the same message with the person's edited input.
- **denied** tool call: rejected = that assistant message; chosen = the agent's next
  acceptable action in the same reply (not itself denied or followed by guidance).
- **guidance**: a hint injected before step ``s`` (``HintInjected.step == s``) makes the
  action of step ``s - 1`` rejected and the next acceptable action chosen.
- The prompt of a pair is the conversation before the rejected message.
- **fork**: a fork judged up against its parent's step judged down (``_fork_pairs``).
- Thumbs and scores become KTO labels (up / score >= threshold is True); pairs add one
  False and one True example each.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> preference_pairs(RunRecord(run_id="r1"))
    []
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from ._chat import tool_uses
from ._record import RunRecord

PairKind = Literal["edited", "denied", "hint", "fork"]


@dataclass
class PreferencePair:
    """A rejected and a chosen assistant message after the same ``prompt`` messages."""

    run_id: str
    reply_id: str
    step: int | None
    kinds: tuple[PairKind, ...]
    prompt: list[dict[str, Any]]
    chosen: dict[str, Any]
    rejected: dict[str, Any]
    sys_prompt: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LabeledExample:
    """A completion judged good (``label`` True) or bad after ``prompt`` (KTO)."""

    run_id: str
    prompt: list[dict[str, Any]]
    completion: list[dict[str, Any]]
    label: bool
    source: Literal["feedback", "pair"]
    sys_prompt: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)


def _corrections(record: RunRecord, hint_sources: tuple[str, ...]) -> dict[str, list[PairKind]]:
    """Assistant message id -> why a person corrected it (denied / edited / hint)."""
    out: dict[str, list[PairKind]] = {}
    for call in record.tool_calls.values():
        if call.decision in ("denied", "edited") and call.msg_id:
            kinds = out.setdefault(call.msg_id, [])
            kind: PairKind = "denied" if call.decision == "denied" else "edited"
            if kind not in kinds:
                kinds.append(kind)
    hinted = {
        (h.reply_id, h.step - 1) for h in record.hints if h.source in hint_sources and h.step > 0
    }
    if hinted:
        for msg in record.messages:
            if msg.get("role") != "assistant":
                continue
            msg_id = str(msg.get("id"))
            key = (record.msg_replies.get(msg_id, ""), record.msg_steps.get(msg_id, -1))
            if key in hinted or ("", key[1]) in hinted:
                out.setdefault(msg_id, []).append("hint")
    return out


def assistant_weights(
    record: RunRecord, *, hint_sources: tuple[str, ...] = ("human",)
) -> dict[str, int]:
    """Weight 0 for assistant messages a person corrected (denied, guided, thumbs-down step).

    Edited calls keep weight 1: the exported message carries the person's edited input.
    """
    weights: dict[str, int] = {}
    for msg_id, kinds in _corrections(record, hint_sources).items():
        if "denied" in kinds or "hint" in kinds:
            weights[msg_id] = 0
    down_steps = {
        f.step
        for f in record.feedback
        if f.step is not None and _label(f.label, f.score, 0.5) is False
    }
    if down_steps:
        for msg in record.messages:
            msg_id = str(msg.get("id"))
            if msg.get("role") == "assistant" and record.msg_steps.get(msg_id) in down_steps:
                weights[msg_id] = 0
    return weights


def _original(msg: dict[str, Any], record: RunRecord) -> dict[str, Any]:
    """``msg`` with each tool call's input restored to what the model proposed."""
    out = copy.deepcopy(msg)
    for block in tool_uses(out):
        call = record.tool_calls.get(str(block.get("id")))
        if call is not None and call.decision == "edited":
            block["input"] = copy.deepcopy(call.original_input)
    return out


def preference_pairs(
    record: RunRecord, *, hint_sources: tuple[str, ...] = ("human",)
) -> list[PreferencePair]:
    """Every preference pair that the steering of ``record`` yields, in conversation order."""
    from ._fork_pairs import fork_pairs

    corrections = _corrections(record, hint_sources)
    if not corrections:
        return fork_pairs(record)  # a fork judged better than its parent's step
    msgs = record.messages
    pairs: list[PreferencePair] = []
    for i, msg in enumerate(msgs):
        msg_id = str(msg.get("id"))
        kinds = corrections.get(msg_id)
        if not kinds or msg.get("role") != "assistant":
            continue
        reply_id = record.msg_replies.get(msg_id, "")
        rejected = _original(msg, record)
        kind_list: tuple[PairKind, ...]
        if "denied" in kinds or "hint" in kinds:
            chosen = _next_acceptable(msgs, i, reply_id, corrections, record)
            if chosen is None:
                continue
            kind_list = tuple(k for k in kinds if k != "edited")
        else:
            chosen, kind_list = msg, ("edited",)
        if _same_action(chosen, rejected):
            continue
        pairs.append(
            PreferencePair(
                run_id=record.run_id,
                reply_id=reply_id,
                step=record.msg_steps.get(msg_id),
                kinds=kind_list,
                prompt=msgs[:i],
                chosen=chosen,
                rejected=rejected,
                sys_prompt=record.sys_prompt,
                tools=record.tools,
            )
        )
    return pairs + fork_pairs(record)


def _next_acceptable(
    msgs: list[dict[str, Any]],
    start: int,
    reply_id: str,
    corrections: dict[str, list[PairKind]],
    record: RunRecord,
) -> dict[str, Any] | None:
    for msg in msgs[start + 1 :]:
        msg_id = str(msg.get("id"))
        if msg.get("role") != "assistant" or record.msg_replies.get(msg_id, "") != reply_id:
            continue
        kinds = corrections.get(msg_id, [])
        if "denied" in kinds or "hint" in kinds:
            continue
        if not msg.get("content"):
            continue
        return msg
    return None


def _same_action(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("content") == b.get("content")


def _label(label: str | None, score: float | None, threshold: float) -> bool | None:
    if label is not None:
        return label == "up"
    if score is not None:
        return float(score) >= threshold
    return None


def labeled_examples(
    record: RunRecord,
    *,
    score_threshold: float = 0.5,
    include_pairs: bool = True,
    hint_sources: tuple[str, ...] = ("human",),
) -> list[LabeledExample]:
    """KTO examples: run feedback labels the whole trajectory, step feedback one action.

    A run-level judgement labels the completion after the first user turn (assistant and
    tool messages); a step-level one labels that step's assistant message. With
    ``include_pairs`` each preference pair adds its rejected (False) and chosen (True) action.
    """
    msgs = record.messages
    out: list[LabeledExample] = []

    def example(
        prompt: list[dict[str, Any]],
        completion: list[dict[str, Any]],
        label: bool,
        source: Literal["feedback", "pair"],
    ) -> LabeledExample:
        return LabeledExample(
            record.run_id, prompt, completion, label, source, record.sys_prompt, record.tools
        )

    first = next((i for i, m in enumerate(msgs) if m.get("role") == "assistant"), None)
    for item in record.feedback:
        label = _label(item.label, item.score, score_threshold)
        if label is None or first is None:
            continue
        if item.step is None:
            out.append(example(msgs[:first], msgs[first:], label, "feedback"))
            continue
        for i, msg in enumerate(msgs):
            msg_id = str(msg.get("id"))
            same_reply = not item.reply_id or record.msg_replies.get(msg_id) == item.reply_id
            if (
                msg.get("role") == "assistant"
                and record.msg_steps.get(msg_id) == item.step
                and same_reply
            ):
                out.append(example(msgs[:i], [msg], label, "feedback"))
                break
    if include_pairs:
        for pair in preference_pairs(record, hint_sources=hint_sources):
            out.append(example(pair.prompt, [pair.rejected], False, "pair"))
            out.append(example(pair.prompt, [pair.chosen], True, "pair"))
    return out


__all__ = [
    "PreferencePair",
    "LabeledExample",
    "preference_pairs",
    "labeled_examples",
    "assistant_weights",
]
